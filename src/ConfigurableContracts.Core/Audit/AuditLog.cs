using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Audit;

/// <summary>What happened, by whom, to which data, for which purpose — before it is sealed into the chain.</summary>
/// <param name="Subject">Who acted: an API key id, a token subject, or <c>system:scheduler</c>.</param>
/// <param name="Action">A stable verb such as <c>participants.read</c> or <c>measurements.create</c>.</param>
/// <param name="Outcome">The answer given: <c>allowed</c>, <c>denied</c>, <c>not-found</c>, <c>invalid</c>, or a word such as <c>removed</c>.</param>
/// <param name="ParticipantPseudonym">The one participant the request names, if it names one.</param>
/// <param name="Authentication">How the subject signed in: <c>api-key</c>, <c>jwt</c>; null for anonymous requests and the system.</param>
/// <param name="StatusCode">The HTTP status answered, for requests.</param>
/// <param name="Resource">Other ids the request named (<c>decisionId=…</c>), so a probe with a guessed id is visible as such.</param>
/// <param name="RequestId">The request's trace id, the same the server logs and error answers carry.</param>
/// <param name="Pseudonyms">
/// The participants a request concerns when it concerns many (a bulk upload): stored one row each beside the entry,
/// covered by its hash, so one entry per request says what one entry per line would.
/// </param>
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
    string? Detail = null,
    string? Authentication = null,
    int? StatusCode = null,
    string? Resource = null,
    string? RequestId = null,
    IReadOnlyCollection<string>? Pseudonyms = null)
{
    /// <summary>The width of <c>audit_log.subject</c> (its SQL Server column): writers cut a longer subject to it.</summary>
    public const int MaxSubjectLength = 200;
}

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

    public string? Authentication { get; init; }

    public int? StatusCode { get; init; }

    public string? Resource { get; init; }

    public string? RequestId { get; init; }

    /// <summary>The participants of a many-participant entry, in ordinal order; empty otherwise.</summary>
    public IReadOnlyList<string> Pseudonyms { get; init; } = [];

    /// <summary>Which hash formula sealed the entry: 1 before migration 0008, 2 since (it covers the fields added then).</summary>
    public int HashVersion { get; init; } = AuditLog.CurrentHashVersion;

    public required string PreviousHash { get; init; }

    public required string Hash { get; init; }
}

/// <summary>
/// The result of checking the chain: how many entries were read, the first that does not fit, and the last entry's
/// hash — the value to record outside the database and pass back as an <see cref="AuditAnchor"/> later.
/// </summary>
public sealed record AuditVerification(long EntriesChecked, long? FirstBrokenSequence, string? Reason, string? LastHash = null)
{
    public bool IsIntact => FirstBrokenSequence is null;
}

/// <summary>
/// An entry's sequence and hash as recorded outside the database. The chain alone cannot show that its newest
/// entries were removed (a shorter chain still verifies); an anchor recorded earlier can.
/// </summary>
public sealed record AuditAnchor(long Sequence, string Hash)
{
    /// <summary>Reads <c>SEQUENCE:HASH</c>, as <c>contracts audit verify</c> prints it.</summary>
    public static bool TryParse(string? text, out AuditAnchor anchor)
    {
        anchor = null!;
        var parts = text?.Split(':') ?? [];
        if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence)
            || sequence < 1 || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        anchor = new AuditAnchor(sequence, parts[1]);
        return true;
    }

    public override string ToString() => $"{Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{Hash}";
}

/// <summary>Filters for reading the audit log; every one is optional. A participant matches the entries that name it and the bulk entries that concern it.</summary>
public sealed record AuditQuery(string? ParticipantPseudonym = null, string? OrganisationId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, long AfterSequence = 0, int Limit = 100);

/// <summary>
/// The append-only, tamper-evident audit log. Every entry's hash covers its own fields and the previous entry's
/// hash, so an edited, deleted or inserted row breaks the chain from that entry on, and
/// <see cref="VerifyAsync"/> names it.
/// </summary>
public sealed class AuditLog(DbConnectionFactory connections, TimeProvider time) : IDisposable
{
    /// <summary>The previous hash of the first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The hash formula new entries are sealed with.</summary>
    public const int CurrentHashVersion = 2;

    private const int MaxAppendAttempts = 50;

    // One pseudonym parameter per row plus the sequence: far below SQL Server's 2 100 parameters per command.
    private const int PseudonymsPerInsert = 500;

    private const string Columns =
        "sequence AS Sequence, occurred_at AS OccurredAt, subject AS Subject, organisation_id AS OrganisationId, role AS Role, action AS Action, " +
        "endpoint AS Endpoint, contract_id AS ContractId, participant_pseudonym AS ParticipantPseudonym, purpose AS Purpose, outcome AS Outcome, " +
        "detail AS Detail, authentication AS Authentication, status_code AS StatusCode, resource AS Resource, request_id AS RequestId, " +
        "hash_version AS HashVersion, previous_hash AS PreviousHash, hash AS Hash";

    // Appenders in this process wait their turn instead of racing for the next sequence number and retrying;
    // the retry below remains for other server instances on the same database.
    private readonly SemaphoreSlim _appendTurn = new(1, 1);

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _appendTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await AppendInTurnAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _appendTurn.Release();
        }
    }

    /// <summary>
    /// Recomputes every hash in order; stops at the first entry that does not fit the chain, or that differs from
    /// <paramref name="anchor"/>, or at the end when the anchored entry is no longer there.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(AuditAnchor? anchor = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        // A second connection reads the pseudonyms alongside: the first one is busy streaming the entries.
        await using var pseudonymConnection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var previousHash = GenesisHash;
        long expectedSequence = 1;
        long checkedCount = 0;
        var highestVersion = 1;
        var rows = connection.QueryUnbufferedAsync<AuditRecord>($"SELECT {Columns} FROM audit_log ORDER BY sequence");
        await using var pseudonyms = new PseudonymCursor(pseudonymConnection);
        await foreach (var stored in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            checkedCount++;
            var row = stored with { Pseudonyms = await pseudonyms.ForAsync(stored.Sequence, cancellationToken).ConfigureAwait(false) };
            if (row.Sequence != expectedSequence)
            {
                return new AuditVerification(checkedCount, row.Sequence, $"entry {expectedSequence} is missing");
            }

            if (!string.Equals(row.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return new AuditVerification(checkedCount, row.Sequence, "its previous hash does not match the entry before it");
            }

            if (row.HashVersion < highestVersion || row.HashVersion > CurrentHashVersion)
            {
                return new AuditVerification(checkedCount, row.Sequence, $"its hash version {row.HashVersion} does not follow version {highestVersion} before it");
            }

            if (row.HashVersion == 1 && HasVersionTwoFields(row))
            {
                // Version 1 hashes do not cover these fields, so a value in them was put there afterwards.
                return new AuditVerification(checkedCount, row.Sequence, "it is sealed with hash version 1 but carries fields only version 2 covers");
            }

            if (!string.Equals(row.Hash, ComputeHash(row), StringComparison.Ordinal))
            {
                return new AuditVerification(checkedCount, row.Sequence, "its content does not match its hash");
            }

            if (anchor is not null && row.Sequence == anchor.Sequence && !string.Equals(row.Hash, anchor.Hash, StringComparison.Ordinal))
            {
                return new AuditVerification(checkedCount, row.Sequence, "its hash differs from the anchor recorded for it");
            }

            highestVersion = row.HashVersion;
            previousHash = row.Hash;
            expectedSequence++;
        }

        if (anchor is not null && anchor.Sequence >= expectedSequence)
        {
            return new AuditVerification(checkedCount, anchor.Sequence, $"the anchored entry {anchor.Sequence} is missing: the log ends at entry {expectedSequence - 1}");
        }

        if (await pseudonyms.OrphanAsync(cancellationToken).ConfigureAwait(false) is { } orphan)
        {
            return new AuditVerification(checkedCount, orphan, $"pseudonyms are recorded for entry {orphan}, which is not in the log");
        }

        return new AuditVerification(checkedCount, null, null, checkedCount > 0 ? previousHash : null);
    }

    /// <summary>Every entry matching the filters, unscoped: for the CLI and for code acting as the platform.</summary>
    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) =>
        QueryAsync(query, scope: null, cancellationToken);

    /// <summary>The entries a caller may read, scoped in SQL by <see cref="TenantScope.AuditEntries"/>.</summary>
    public Task<IReadOnlyList<AuditRecord>> QueryAsync(Caller caller, AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return QueryAsync(query, caller, cancellationToken);
    }

    public void Dispose() => _appendTurn.Dispose();

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
            Authentication = entry.Authentication,
            StatusCode = entry.StatusCode,
            Resource = entry.Resource,
            RequestId = entry.RequestId,
            Pseudonyms = entry.Pseudonyms is null ? [] : entry.Pseudonyms.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            HashVersion = CurrentHashVersion,
            PreviousHash = previousHash,
            Hash = "",
        };
        return record with { Hash = ComputeHash(record) };
    }

    /// <summary>
    /// SHA-256 over the fields joined with a separator no field contains, nulls marked distinctly from empty
    /// strings, and the instant at microsecond precision (the finest every supported database keeps). Version 2
    /// appends its version, the fields of migration 0008 and the pseudonyms (sorted, so their storage order cannot matter).
    /// </summary>
    internal static string ComputeHash(AuditRecord record)
    {
        var fields = new List<string?>
        {
            record.Sequence.ToString(CultureInfo.InvariantCulture),
            Truncate(record.OccurredAt).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            record.Subject, record.OrganisationId, record.Role, record.Action, record.Endpoint, record.ContractId,
            record.ParticipantPseudonym, record.Purpose, record.Outcome, record.Detail, record.PreviousHash,
        };
        if (record.HashVersion >= 2)
        {
            fields.AddRange(
            [
                record.HashVersion.ToString(CultureInfo.InvariantCulture), record.Authentication,
                record.StatusCode?.ToString(CultureInfo.InvariantCulture), record.Resource, record.RequestId,
                string.Join('\u001E', record.Pseudonyms.Order(StringComparer.Ordinal)),
            ]);
        }

        var text = string.Join('\u001F', fields.Select(f => f ?? "\u0000"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static bool HasVersionTwoFields(AuditRecord row) =>
        row.Authentication is not null || row.StatusCode is not null || row.Resource is not null || row.RequestId is not null || row.Pseudonyms.Count > 0;

    private async Task<AuditRecord> AppendInTurnAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var last = await connection.QuerySingleOrDefaultAsync<(long Sequence, string Hash)?>(
                "SELECT sequence AS Sequence, hash AS Hash FROM audit_log WHERE sequence = (SELECT MAX(sequence) FROM audit_log)").ConfigureAwait(false);
            var record = Seal(entry, (last?.Sequence ?? 0) + 1, Truncate(time.GetUtcNow()), last?.Hash ?? GenesisHash);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await InsertAsync(connection, transaction, record).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return record;
            }
            catch (DbException exception) when (DbErrors.IsUniqueViolation(exception) && attempt < MaxAppendAttempts)
            {
                // Another server instance took this sequence number; chain onto its entry instead.
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Appends an entry inside the caller's open transaction, so it commits or rolls back with the rows it is about:
    /// a bulk upload's chunk and its entry are never one without the other, even when the process is killed
    /// between them. The last entry is read inside the transaction; another instance that took the same sequence
    /// number first is a unique violation, rolled back to a savepoint and retried on top of that entry.
    /// </summary>
    internal async Task<AuditRecord> AppendInTransactionAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(entry);
        const string Savepoint = "audit_entry";
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var last = await connection.QuerySingleOrDefaultAsync<(long Sequence, string Hash)?>(
                "SELECT sequence AS Sequence, hash AS Hash FROM audit_log WHERE sequence = (SELECT MAX(sequence) FROM audit_log)", transaction: transaction).ConfigureAwait(false);
            var record = Seal(entry, (last?.Sequence ?? 0) + 1, Truncate(time.GetUtcNow()), last?.Hash ?? GenesisHash);
            await connection.ExecuteAsync(dialect.Savepoint(Savepoint), transaction: transaction).ConfigureAwait(false);
            try
            {
                await InsertAsync(connection, transaction, record).ConfigureAwait(false);
                if (dialect.ReleaseSavepoint(Savepoint) is { } release)
                {
                    await connection.ExecuteAsync(release, transaction: transaction).ConfigureAwait(false);
                }

                return record;
            }
            catch (DbException exception) when (DbErrors.IsUniqueViolation(exception) && attempt < MaxAppendAttempts)
            {
                await connection.ExecuteAsync(dialect.RollbackToSavepoint(Savepoint), transaction: transaction).ConfigureAwait(false);
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, AuditRecord record)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO audit_log (sequence, occurred_at, subject, organisation_id, role, action, endpoint, contract_id, participant_pseudonym, purpose, outcome, detail,
                                   authentication, status_code, resource, request_id, hash_version, previous_hash, hash)
            VALUES (@Sequence, @OccurredAt, @Subject, @OrganisationId, @Role, @Action, @Endpoint, @ContractId, @ParticipantPseudonym, @Purpose, @Outcome, @Detail,
                    @Authentication, @StatusCode, @Resource, @RequestId, @HashVersion, @PreviousHash, @Hash)
            """, record, transaction).ConfigureAwait(false);
        await InsertPseudonymsAsync(connection, transaction, record).ConfigureAwait(false);
    }

    private static async Task InsertPseudonymsAsync(DbConnection connection, DbTransaction transaction, AuditRecord record)
    {
        foreach (var chunk in record.Pseudonyms.Chunk(PseudonymsPerInsert))
        {
            var parameters = new DynamicParameters(new { record.Sequence });
            var rows = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                parameters.Add($"p{i}", chunk[i]);
                rows.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@Sequence, @p{i})");
            }

            await connection.ExecuteAsync($"INSERT INTO audit_log_participants (sequence, pseudonym) VALUES {rows}", parameters, transaction).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, Caller? scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Only the filters given become SQL: PostgreSQL cannot type a parameter that is only ever compared with NULL.
        var filters = new List<string> { "a.sequence > @AfterSequence" };
        if (scope is not null && TenantScope.AuditEntries(scope, "a") is { } tenant)
        {
            filters.Add(tenant);
        }

        if (query.ParticipantPseudonym is not null)
        {
            filters.Add(
                "(a.participant_pseudonym = @ParticipantPseudonym " +
                "OR a.sequence IN (SELECT p.sequence FROM audit_log_participants p WHERE p.pseudonym = @ParticipantPseudonym))");
        }

        if (query.OrganisationId is not null)
        {
            filters.Add("a.organisation_id = @OrganisationId");
        }

        if (query.From is not null)
        {
            filters.Add("a.occurred_at >= @From");
        }

        if (query.To is not null)
        {
            filters.Add("a.occurred_at < @To");
        }

        var columns = string.Join(", ", Columns.Split(", ").Select(c => "a." + c));
        var sql = $"SELECT {columns} FROM audit_log a WHERE {string.Join(" AND ", filters)} ORDER BY a.sequence {connections.Dialect.Page("@Limit", "0")}";
        var rows = (await connection.QueryAsync<AuditRecord>(new CommandDefinition(sql, new
        {
            query.AfterSequence,
            CallerOrganisation = scope?.OrganisationId,
            query.ParticipantPseudonym,
            query.OrganisationId,
            query.From,
            query.To,
            Limit = Math.Clamp(query.Limit, 1, 10_000),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        if (rows.Count == 0)
        {
            return rows;
        }

        var pseudonyms = (await connection.QueryAsync<(long Sequence, string Pseudonym)>(new CommandDefinition(
            "SELECT sequence AS Sequence, pseudonym AS Pseudonym FROM audit_log_participants WHERE sequence >= @First AND sequence <= @Last ORDER BY sequence, pseudonym",
            new { First = rows[0].Sequence, Last = rows[^1].Sequence },
            cancellationToken: cancellationToken)).ConfigureAwait(false))
            .GroupBy(p => p.Sequence)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(p => p.Pseudonym).ToList());
        return rows.Select(r => pseudonyms.TryGetValue(r.Sequence, out var list) ? r with { Pseudonyms = list } : r).ToList();
    }

    private static DateTimeOffset Truncate(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>Walks <c>audit_log_participants</c> in sequence order beside the entries being verified.</summary>
    private sealed class PseudonymCursor(DbConnection connection) : IAsyncDisposable
    {
        private IAsyncEnumerator<(long Sequence, string Pseudonym)>? _rows;
        private bool _hasCurrent;

        public async Task<IReadOnlyList<string>> ForAsync(long sequence, CancellationToken cancellationToken)
        {
            if (_rows is null)
            {
                _rows = connection.QueryUnbufferedAsync<(long Sequence, string Pseudonym)>(
                    "SELECT sequence AS Sequence, pseudonym AS Pseudonym FROM audit_log_participants ORDER BY sequence, pseudonym").GetAsyncEnumerator(cancellationToken);
                _hasCurrent = await _rows.MoveNextAsync().ConfigureAwait(false);
            }

            var found = new List<string>();
            while (_hasCurrent && _rows.Current.Sequence <= sequence)
            {
                if (_rows.Current.Sequence == sequence)
                {
                    found.Add(_rows.Current.Pseudonym);
                }

                _hasCurrent = await _rows.MoveNextAsync().ConfigureAwait(false);
            }

            return found;
        }

        /// <summary>A pseudonym row left over after the last entry: its entry was removed.</summary>
        public async Task<long?> OrphanAsync(CancellationToken cancellationToken)
        {
            if (_rows is null)
            {
                await ForAsync(0, cancellationToken).ConfigureAwait(false);
            }

            return _hasCurrent ? _rows!.Current.Sequence : null;
        }

        public async ValueTask DisposeAsync()
        {
            if (_rows is not null)
            {
                await _rows.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
