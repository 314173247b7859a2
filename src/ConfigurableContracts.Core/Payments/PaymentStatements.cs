using System.Data.Common;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Payments;

/// <summary>One ledger entry as a statement shows it.</summary>
public sealed record LedgerEntry
{
    public required string Id { get; init; }

    public long Sequence { get; init; }

    public required string ProviderId { get; init; }

    public string? Pseudonym { get; init; }

    public required string DecisionId { get; init; }

    public required string Kind { get; init; }

    public required string EntryType { get; init; }

    public string? CorrectsEntryId { get; init; }

    public required string Period { get; init; }

    public decimal RequestedAmount { get; init; }

    public decimal Amount { get; init; }

    public string? CapNote { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A provider's part of a period statement: its entries, totals and whether they may be paid out.</summary>
/// <param name="Release"><c>released</c> (approved), <c>withheld</c> (disputed) or <c>pending</c> (not reviewed).</param>
public sealed record ProviderStatement(string ProviderId, string Release, string? ReviewNote, decimal Charged, decimal Reversed, decimal Net, IReadOnlyList<LedgerEntry> Entries);

/// <summary>
/// What a contract owes for one period (YYYY-MM), per provider: the totals of the whole period, and one page of its
/// entries in ledger order.
/// </summary>
/// <param name="NextAfter">The cursor of the next page of entries (pass it as <c>after</c>); null on the last page.</param>
public sealed record PaymentStatement(string ContractId, string Period, string Currency, decimal Net, decimal Released, IReadOnlyList<ProviderStatement> Providers, long? NextAfter);

/// <summary>A page of a statement's entries: those after ledger sequence <see cref="AfterSequence"/>, at most <see cref="Limit"/>.</summary>
public sealed record LedgerPage(long AfterSequence = 0, int Limit = LedgerPage.MaxLimit)
{
    /// <summary>The most entries one page holds, and the page size when none is asked for.</summary>
    public const int MaxLimit = 5000;
}

/// <summary>A commissioner's or verifier's verdict on one provider's payments for one period.</summary>
public sealed record PaymentReview(string ProviderId, string Period, string Status, string? Note, string ReviewedBy, DateTimeOffset ReviewedAt);

/// <summary>
/// Reads the append-only payment ledger as statements and records reviews. Statements are scoped in SQL like
/// decisions: a provider sees its own entries only. A statement holds the whole period's totals and one page of its
/// entries (<see cref="LedgerPage"/>), so no request reads and sends an unbounded list of entries.
/// </summary>
public sealed class PaymentStatements(DbConnectionFactory connections, TimeProvider time)
{
    public async Task<PaymentStatement?> StatementAsync(Caller caller, string contractId, string period, LedgerPage? page = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        page ??= new LedgerPage();
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await TenantScope.CanSeeContractAsync(connection, caller, contractId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var scoped = new { contractId, period, page.AfterSequence, Limit = Math.Clamp(page.Limit, 1, LedgerPage.MaxLimit) + 1, CallerOrganisation = caller.OrganisationId };

        // The period's totals from the amounts alone, summed in decimal here (SQLite has no exact SUM).
        var amounts = await connection.QueryAsync<(string ProviderId, string EntryType, decimal Amount, string? Currency)>(RequestCommand.Of(
            $"""
            SELECT l.provider_id, l.entry_type, l.amount, l.currency
            FROM ledger_entries l
            WHERE l.contract_id = @contractId AND l.period = @period AND {TenantScope.ContractRows(caller, "l")}
            ORDER BY l.sequence
            """, scoped, cancellationToken)).ConfigureAwait(false);

        // One page of entries after the cursor, read by ix_ledger_period_sequence; one more than asked shows whether another page follows.
        var entries = (await connection.QueryAsync<LedgerEntry>(RequestCommand.Of(
            $"""
            SELECT l.id AS Id, l.sequence AS Sequence, l.provider_id AS ProviderId, p.pseudonym AS Pseudonym, l.decision_id AS DecisionId,
                   l.kind AS Kind, l.entry_type AS EntryType, l.corrects_entry_id AS CorrectsEntryId, l.period AS Period,
                   l.requested_amount AS RequestedAmount, l.amount AS Amount, l.cap_note AS CapNote, l.currency AS Currency, l.created_at AS CreatedAt
            FROM ledger_entries l LEFT JOIN participants p ON p.id = l.participant_id
            WHERE l.contract_id = @contractId AND l.period = @period AND l.sequence > @AfterSequence AND {TenantScope.ContractRows(caller, "l")}
            ORDER BY l.sequence {connections.Dialect.Page("@Limit", "0")}
            """, scoped, cancellationToken)).ConfigureAwait(false)).AsList();
        long? nextAfter = null;
        if (entries.Count == scoped.Limit)
        {
            entries.RemoveAt(entries.Count - 1);
            nextAfter = entries[^1].Sequence;
        }

        var reviews = (await ReviewsAsync(connection, contractId, period, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.ProviderId, StringComparer.Ordinal);
        var onPage = entries.ToLookup(e => e.ProviderId, StringComparer.Ordinal);
        var providers = amounts.GroupBy(a => a.ProviderId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(group =>
        {
            reviews.TryGetValue(group.Key, out var review);
            var release = review?.Status switch { "approved" => "released", "disputed" => "withheld", _ => "pending" };
            var charged = group.Where(e => e.EntryType == "charge").Sum(e => e.Amount);
            var reversed = group.Where(e => e.EntryType == "reversal").Sum(e => e.Amount);
            return new ProviderStatement(group.Key, release, review?.Note, charged, reversed, charged + reversed, onPage[group.Key].ToList());
        }).ToList();
        return new PaymentStatement(contractId, period, amounts.FirstOrDefault().Currency ?? "SEK", providers.Sum(p => p.Net),
            providers.Where(p => p.Release == "released").Sum(p => p.Net), providers, nextAfter);
    }

    /// <summary>Records (or replaces) the review of a provider's period; only the contract's commissioner or an auditor of it.</summary>
    public async Task<PaymentReview?> ReviewAsync(Caller caller, string contractId, string providerId, string period, string status, string? note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!caller.ReadsAsCommissioner || !await TenantScope.CanSeeContractAsync(connection, caller, contractId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var review = new PaymentReview(providerId, period, status, note, caller.ActorId, time.GetUtcNow());
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(RequestCommand.Of(
            "DELETE FROM payment_reviews WHERE contract_id = @contractId AND provider_id = @ProviderId AND period = @Period",
            new { contractId, review.ProviderId, review.Period }, cancellationToken, transaction)).ConfigureAwait(false);
        await connection.ExecuteAsync(RequestCommand.Of(
            """
            INSERT INTO payment_reviews (contract_id, provider_id, period, status, note, reviewed_by, reviewed_at)
            VALUES (@contractId, @ProviderId, @Period, @Status, @Note, @ReviewedBy, @ReviewedAt)
            """, new { contractId, review.ProviderId, review.Period, review.Status, review.Note, review.ReviewedBy, review.ReviewedAt }, cancellationToken, transaction)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return review;
    }

    private static async Task<IEnumerable<PaymentReview>> ReviewsAsync(DbConnection connection, string contractId, string period, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<ReviewRow>(RequestCommand.Of(
            """
            SELECT provider_id AS ProviderId, period AS Period, status AS Status, note AS Note, reviewed_by AS ReviewedBy, reviewed_at AS ReviewedAt
            FROM payment_reviews WHERE contract_id = @contractId AND period = @period
            """, new { contractId, period }, cancellationToken)).ConfigureAwait(false))
        .Select(r => new PaymentReview(r.ProviderId, r.Period, r.Status, r.Note, r.ReviewedBy, r.ReviewedAt));

    private sealed record ReviewRow
    {
        public required string ProviderId { get; init; }

        public required string Period { get; init; }

        public required string Status { get; init; }

        public string? Note { get; init; }

        public required string ReviewedBy { get; init; }

        public DateTimeOffset ReviewedAt { get; init; }
    }
}
