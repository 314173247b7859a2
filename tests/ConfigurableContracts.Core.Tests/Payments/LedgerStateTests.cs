using System.Text.Json;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Tests.TemplateFiles;
using ConfigurableContracts.Rules.Evaluation;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConfigurableContracts.Core.Tests.Payments;

public sealed class LedgerStateTests
{
    private static readonly Lazy<PaymentModel> SeedModel = new(() =>
    {
        var catalog = new TemplateCatalog(new TemplateLoader(RepositoryLayout.Root, new TemplateOptions()), NullLogger<TemplateCatalog>.Instance);
        catalog.Reload();
        return PaymentModel.From(catalog.Templates.Single(t => t.Id == "preventive-youth-support"));
    });

    private static readonly PaymentRule Activity = new("activity", "IndividualOutcomes", "ActivityPayment");

    // Found by the crash-safety test on PostgreSQL: a run resumed after a kill reads the totals back as numeric
    // (17998000.00), the uninterrupted run sums them itself (17998000), and the cap notes differed in the zeros.
    [Theory]
    [InlineData("17998000")]
    [InlineData("17998000.00")]
    [InlineData("17998000.0000")]
    public void Charge_IsTheSameEntry_WhateverScaleThePaidTotalsWereReadWith(string paidSoFar)
    {
        var charge = Ledger(decimal.Parse(paidSoFar, System.Globalization.CultureInfo.InvariantCulture))
            .Apply(Activity, "decision-1", "participant-1", "provider-1", RuleStatus.Achieved, 8000L).Single();

        Assert.Equal("perContract cap 18000000 reached: 8000 requested, 2000 paid", charge.CapNote);
        Assert.Equal("2000", charge.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("8000", charge.RequestedAmount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Reversal_OfACharge_ReadBackWithTrailingZeros_WritesTheAmountsWithout()
    {
        var charged = new ActiveCharge { Id = "charge-1", ParticipantId = "participant-1", Kind = "activity", RequestedAmount = 8000.00m, Amount = 2000.00m };

        var reversal = Ledger(0m, charged).Apply(Activity, "decision-2", "participant-1", "provider-1", RuleStatus.NotAchieved, null).Single();

        Assert.Equal("reversal", reversal.EntryType);
        Assert.Equal("-2000", reversal.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("-8000", reversal.RequestedAmount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static LedgerState Ledger(decimal paidByOtherProvider, params ActiveCharge[] charges)
    {
        using var parameters = JsonDocument.Parse("""{ "caps": { "perProvider": 1000000000, "perContract": 18000000 } }""");
        return new LedgerState(SeedModel.Value, parameters.RootElement.Clone(), "contract-1", "run-1", "2022-12",
            DateTimeOffset.UnixEpoch, new Dictionary<string, decimal>(StringComparer.Ordinal) { ["provider-2"] = paidByOtherProvider },
            charges, sequence: 0);
    }
}
