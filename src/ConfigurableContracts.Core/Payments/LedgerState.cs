using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Core.Payments;

/// <summary>
/// The running payment position of one contract during a run: what each participant is currently charged per
/// payment kind, and the totals the caps are checked against. It turns decisions into ledger entries:
/// <list type="number">
/// <item>a payment rule still Achieved with the same amount keeps its charge (no entry);</item>
/// <item>a charge whose decision changed is reversed by a negative entry (never edited);</item>
/// <item>a new payable amount is charged, reduced by the caps in the manifest's order — per provider, then per
/// contract by default — so the total never passes a cap; a capped participant is not topped up later.</item>
/// </list>
/// </summary>
internal sealed class LedgerState(
    PaymentModel model,
    JsonElement parameters,
    string contractId,
    string runId,
    string period,
    DateTimeOffset now,
    Dictionary<string, decimal> paidByProvider,
    IEnumerable<ActiveCharge> activeCharges,
    long sequence)
{
    private readonly Dictionary<(string Participant, string Kind), ActiveCharge> _charges =
        activeCharges.ToDictionary(c => (c.ParticipantId, c.Kind));

    private readonly decimal? _providerCap = PaymentModel.ReadCap(parameters, model.PerProviderParameter);
    private readonly decimal? _contractCap = PaymentModel.ReadCap(parameters, model.PerContractParameter);
    private decimal _paidByContract = paidByProvider.Values.Sum();
    private long _sequence = sequence;

    public PaymentModel Model => model;

    /// <summary>The entries a new decision on a payment rule calls for; empty when the charge stands as it is.</summary>
    public IEnumerable<LedgerRow> Apply(PaymentRule payment, string decisionId, string participantId, string providerId, RuleStatus status, object? output)
    {
        var requested = status == RuleStatus.Achieved ? PaymentModel.AsAmount(output) : null;
        _charges.TryGetValue((participantId, payment.Kind), out var existing);
        if (existing is not null && requested == existing.RequestedAmount)
        {
            yield break;
        }

        if (existing is not null)
        {
            _charges.Remove((participantId, payment.Kind));
            yield return Entry(Key(existing.Id, "reversal"), providerId, participantId, decisionId, payment.Kind, "reversal", existing.Id, -existing.RequestedAmount, -existing.Amount, null);
        }

        if (requested is not { } amount)
        {
            yield break;
        }

        var (paid, note) = Capped(providerId, amount);
        var id = Key(decisionId, payment.Kind);
        _charges[(participantId, payment.Kind)] = new ActiveCharge { Id = id, ParticipantId = participantId, Kind = payment.Kind, RequestedAmount = amount, Amount = paid };
        yield return Entry(id, providerId, participantId, decisionId, payment.Kind, "charge", null, amount, paid, note);
    }

    private (decimal Paid, string? Note) Capped(string providerId, decimal requested)
    {
        var paid = requested;
        string? note = null;
        foreach (var cap in model.CapOrder)
        {
            var (limit, used) = cap switch
            {
                "perProvider" => (_providerCap, paidByProvider.GetValueOrDefault(providerId)),
                "perContract" => (_contractCap, _paidByContract),
                _ => ((decimal?)null, 0m),
            };
            if (limit is { } max && used + paid > max)
            {
                paid = Canonical(Math.Max(0, max - used));
                note ??= string.Create(CultureInfo.InvariantCulture, $"{cap} cap {max} reached: {requested} requested, {paid} paid");
            }
        }

        return (paid, note);
    }

    private LedgerRow Entry(string id, string providerId, string participantId, string decisionId, string kind, string type, string? corrects, decimal requested, decimal amount, string? note)
    {
        (requested, amount) = (Canonical(requested), Canonical(amount));
        paidByProvider[providerId] = paidByProvider.GetValueOrDefault(providerId) + amount;
        _paidByContract += amount;
        return new LedgerRow(id, ++_sequence, contractId, providerId, participantId, decisionId, kind, type, corrects, period, requested, amount, note, model.Currency, runId, now);
    }

    /// <summary>
    /// The amount without trailing zeros. Totals read back from a database come with its scale (PostgreSQL's
    /// numeric gives 17998000.00 where the same run's own sum is 17998000), and a run resumed after a crash must write
    /// the very entries, cap notes included, that an uninterrupted run writes.
    /// </summary>
    private static decimal Canonical(decimal value) => value / 1.0000000000000000000000000000m;

    private static string Key(string source, string kind) => InputSnapshot.Hash($"{source}|{kind}");
}
