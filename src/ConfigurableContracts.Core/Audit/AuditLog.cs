using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Audit;

/// <summary>What happened, by whom, to which data, for which purpose — before it is sealed into the chain.</summary>
/// <param name="Subject">Who acted: an API key id, a token subject, or <c>system:scheduler</c>.</param>
/// <param name="Action">A stable verb such as <c>participants.read</c> or <c>measurements.create</c>.</param>
/// <param name="Outcome">The answer given, e.g. <c>200</c>, <c>403</c>, <c>removed</c>.</param>
public sealed record AuditEntry(
    string Subject,
    string? OrganisationId,
    string? Role,
    string Action,
    string? Endpoint,
    string? ContractId,
    string? ParticipantPseudonym,
    string? Purpose,
    string Outcome,
    string? Detail = null);

/// <summary>A stored audit entry with its place in the hash chain.</summary>
public sealed record AuditRecord
{
    public long Sequence { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public required string Subject { get; init; }

    public string? OrganisationId { get; init; }

    public string? Role { get; init; }

    public required string Action { get; init; }

    public string? Endpoint { get; init; }

    public string? ContractId { get; init; }

    public string? ParticipantPseudonym { get; init; }

    public string? Purpose { get; init; }

    public required string Outcome { get; init; }

    public string? Detail { get; init; }

    public required string PreviousHash { get; init; }

    public required string Hash { get; init; }
}

/// <summary>The result of checking the chain: how many entries were read and the first that does not fit.</summary>
public sealed record AuditVerification(long EntriesChecked, long? FirstBrokenSequence, string? Reason)
{
    public bool IsIntact => FirstBrokenSequence is null;
}

/// <summary>Filters for reading the audit log; every one is optional.</summary>
public sealed record AuditQuery(string? ParticipantPseudonym = null, string? OrganisationId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, long AfterSequence = 0, int Limit = 100);

/// <summary>
/// The append-only, tamper-evident audit log. Every entry's hash covers its own fields and the previous entry's
/// hash, so an edited, deleted or inserted row breaks the chain from that entry on, and
/// <see cref="VerifyAsync"/> names it.
/// </summary>
public sealed class AuditLog(DbConnectionFactory connections, TimeProvider time)
{
    /// <summary>The previous hash of the first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private const int MaxAppendAttempts = 50;

    private const string Columns =
        "sequence AS Sequence, occurred_at AS OccurredAt, subject AS Subject, organisation_id AS OrganisationId, role AS Role, action AS Action, " +
        "endpoint AS Endpoint, contract_id AS ContractId, participant_pseudonym AS ParticipantPseudonym, purpose AS Purpose, outcome AS Outcome, " +
        "detail AS Detail, previous_hash AS PreviousHash, hash AS Hash";

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var last = await connection.QuerySingleOrDefaultAsync<(long Sequence, string Hash)?>(
                "SELECT sequence AS Sequence, hash AS Hash FROM audit_log WHERE sequence = (SELECT MAX(sequence) FROM audit_log)").ConfigureAwait(false);
            var record = Seal(entry, (last?.Sequence ?? 0) + 1, Truncate(time.GetUtcNow()), last?.Hash ?? GenesisHash);
            try
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO audit_log (sequence, occurred_at, subject, organisation_id, role, action, endpoint, contract_id, participant_pseudonym, purpose, outcome, detail, previous_hash, hash)
                    VALUES (@Sequence, @OccurredAt, @Subject, @OrganisationId, @Role, @Action, @Endpoint, @ContractId, @ParticipantPseudonym, @Purpose, @Outcome, @Detail, @PreviousHash, @Hash)
                    """, record).ConfigureAwait(false);
                return record;
            }
            catch (DbException exception) when (DbErrors.IsUniqueViolation(exception) && attempt < MaxAppendAttempts)
            {
                // Another writer took this sequence number; chain onto its entry instead.
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Recomputes every hash in order; stops at the first entry that does not fit the chain.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var previousHash = GenesisHash;
        long expectedSequence = 1;
        long checkedCount = 0;
        var rows = connection.QueryUnbufferedAsync<AuditRecord>($"SELECT {Columns} FROM audit_log ORDER BY sequence");
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            checkedCount++;
            if (row.Sequence != expectedSequence)
            {
                return new AuditVerification(checkedCount, row.Sequence, $"entry {expectedSequence} is missing");
            }

            if (!string.Equals(row.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return new AuditVerification(checkedCount, row.Sequence, "its previous hash does not match the entry before it");
            }

            if (!string.Equals(row.Hash, ComputeHash(row), StringComparison.Ordinal))
            {
                return new AuditVerification(checkedCount, row.Sequence, "its content does not match its hash");
            }

            previousHash = row.Hash;
            expectedSequence++;
        }

        return new AuditVerification(checkedCount, null, null);
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Only the filters given become SQL: PostgreSQL cannot type a parameter that is only ever compared with NULL.
        var filters = new List<string> { "sequence > @AfterSequence" };
        if (query.ParticipantPseudonym is not null)
        {
            filters.Add("participant_pseudonym = @ParticipantPseudonym");
        }

        if (query.OrganisationId is not null)
        {
            filters.Add("organisation_id = @OrganisationId");
        }

        if (query.From is not null)
        {
            filters.Add("occurred_at >= @From");
        }

        if (query.To is not null)
        {
            filters.Add("occurred_at < @To");
        }

        var sql = $"SELECT {Columns} FROM audit_log WHERE {string.Join(" AND ", filters)} ORDER BY sequence {connections.Dialect.Page("@Limit", "0")}";
        var rows = await connection.QueryAsync<AuditRecord>(new CommandDefinition(sql, new
        {
            query.AfterSequence,
            query.ParticipantPseudonym,
            query.OrganisationId,
            query.From,
            query.To,
            Limit = Math.Clamp(query.Limit, 1, 10_000),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.AsList();
    }

    internal static AuditRecord Seal(AuditEntry entry, long sequence, DateTimeOffset occurredAt, string previousHash)
    {
        var record = new AuditRecord
        {
            Sequence = sequence,
            OccurredAt = occurredAt,
            Subject = entry.Subject,
            OrganisationId = entry.OrganisationId,
            Role = entry.Role,
            Action = entry.Action,
            Endpoint = entry.Endpoint,
            ContractId = entry.ContractId,
            ParticipantPseudonym = entry.ParticipantPseudonym,
            Purpose = entry.Purpose,
            Outcome = entry.Outcome,
            Detail = entry.Detail,
            PreviousHash = previousHash,
            Hash = "",
        };
        return record with { Hash = ComputeHash(record) };
    }

    /// <summary>
    /// SHA-256 over the fields joined with a separator no field contains, nulls marked distinctly from empty
    /// strings, and the instant at microsecond precision (the finest every supported database keeps).
    /// </summary>
    internal static string ComputeHash(AuditRecord record)
    {
        var fields = new[]
        {
            record.Sequence.ToString(CultureInfo.InvariantCulture),
            Truncate(record.OccurredAt).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            record.Subject, record.OrganisationId, record.Role, record.Action, record.Endpoint, record.ContractId,
            record.ParticipantPseudonym, record.Purpose, record.Outcome, record.Detail, record.PreviousHash,
        };
        var text = string.Join('\u001F', fields.Select(f => f ?? "\u0000"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static DateTimeOffset Truncate(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % 10), TimeSpan.Zero);
}
