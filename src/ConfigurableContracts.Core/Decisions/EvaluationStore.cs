using System.Data.Common;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using ConfigurableContracts.Core.Outcomes;
using Dapper;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// The evaluator's reads and writes. It acts for the system, not for a caller, so its queries are scoped by
/// contract only; nothing here is reachable from an endpoint without the endpoint's own organisation checks.
/// </summary>
internal sealed class EvaluationStore(DbConnectionFactory connections)
{
    private static readonly string[] InputColumns = ["input_hash", "snapshot"];

    private static readonly string[] DecisionColumns =
    [
        "id", "sequence", "contract_id", "participant_id", "provider_id", "workflow", "outcome", "measurement_point", "status",
        "action_output", "result_tree", "bundle_hash", "engine_version", "input_hash", "data_hash", "as_of", "run_id", "decided_at",
    ];

    private static readonly string[] LedgerColumns =
    [
        "id", "sequence", "contract_id", "provider_id", "participant_id", "decision_id", "kind", "entry_type", "corrects_entry_id",
        "period", "requested_amount", "amount", "cap_note", "currency", "run_id", "created_at",
    ];

    private const string SupersedeSql = "UPDATE decisions SET superseded_by = @Id WHERE id = @Supersedes AND superseded_by IS NULL";

    /// <summary>128 MiB: the decision and snapshot indexes of 100 000 participants fit with room to spare.</summary>
    private const int WriterCacheKibibytes = 131_072;

    private static readonly string[] InputParameters = Parameters(InputColumns);
    private static readonly string[] DecisionParameters = Parameters(DecisionColumns);
    private static readonly string[] LedgerParameters = Parameters(LedgerColumns);
    private static readonly string[] SupersedeParameters = ["@Id", "@Supersedes"];

    private readonly string _insertInput = connections.Dialect.InsertIfAbsent("evaluation_inputs", InputColumns, "input_hash");
    private readonly string _insertDecision = connections.Dialect.InsertIfAbsent("decisions", DecisionColumns, "id");
    private readonly string _insertLedger = connections.Dialect.InsertIfAbsent("ledger_entries", LedgerColumns, "id");

    public SqlDialect Dialect => connections.Dialect;

    private static string[] Parameters(string[] columns) => [.. columns.Select(c => "@" + SqlDialect.ParameterName(c))];

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => connections.OpenAsync(cancellationToken);

    public static Task<ContractRow?> ContractAsync(DbConnection connection, string contractId) =>
        connection.QuerySingleOrDefaultAsync<ContractRow>(
            "SELECT id AS Id, status AS Status, bundle_hash AS BundleHash, parameters AS Parameters, retained_at AS RetainedAt FROM contracts WHERE id = @contractId",
            new { contractId });

    public static Task<int> CountParticipantsAsync(DbConnection connection, string contractId) =>
        connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM participants WHERE contract_id = @contractId", new { contractId });

    public async Task<List<ParticipantRow>> ParticipantsAfterAsync(DbConnection connection, string contractId, string after, int count) =>
        (await connection.QueryAsync<ParticipantRow>(
            $"""
            SELECT id AS Id, provider_id AS ProviderId, pseudonym AS Pseudonym, enrolment_date AS EnrolmentDate, record AS Record
            FROM participants WHERE contract_id = @contractId AND id > @after ORDER BY id {Dialect.Page("@count", "0")}
            """, new { contractId, after, count }).ConfigureAwait(false)).AsList();

    /// <summary>Every version of every measurement of the participants with ids in (after, last], newest version first.</summary>
    public static async Task<List<MeasurementRow>> MeasurementsAsync(DbConnection connection, string contractId, string after, string last) =>
        (await connection.QueryAsync<MeasurementRow>(
            """
            SELECT participant_id AS ParticipantId, point AS Point, version AS Version, measured_on AS MeasuredOn, document AS Document
            FROM measurements WHERE contract_id = @contractId AND participant_id > @after AND participant_id <= @last
            ORDER BY participant_id, point, version DESC
            """, new { contractId, after, last }).ConfigureAwait(false)).AsList();

    public static async Task<List<CurrentDecision>> CurrentDecisionsAsync(DbConnection connection, string contractId, string after, string last) =>
        (await connection.QueryAsync<CurrentDecision>(
            """
            SELECT id AS Id, participant_id AS ParticipantId, provider_id AS ProviderId, workflow AS Workflow, outcome AS Outcome,
                   status AS Status, action_output AS ActionOutput, data_hash AS DataHash
            FROM decisions
            WHERE contract_id = @contractId AND superseded_by IS NULL AND participant_id > @after AND participant_id <= @last
            """, new { contractId, after, last }).ConfigureAwait(false)).AsList();

    public static async Task<List<CurrentDecision>> CurrentCohortDecisionsAsync(DbConnection connection, string contractId) =>
        (await connection.QueryAsync<CurrentDecision>(
            """
            SELECT id AS Id, participant_id AS ParticipantId, provider_id AS ProviderId, workflow AS Workflow, outcome AS Outcome,
                   status AS Status, action_output AS ActionOutput, data_hash AS DataHash
            FROM decisions WHERE contract_id = @contractId AND superseded_by IS NULL AND participant_id IS NULL
            """, new { contractId }).ConfigureAwait(false)).AsList();

    public static Task<long> MaxDecisionSequenceAsync(DbConnection connection, string contractId) =>
        connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(sequence), 0) FROM decisions WHERE contract_id = @contractId", new { contractId });

    public static Task<long> MaxLedgerSequenceAsync(DbConnection connection, string contractId) =>
        connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(sequence), 0) FROM ledger_entries WHERE contract_id = @contractId", new { contractId });

    /// <summary>Every ledger amount of the contract by provider, summed in decimal here (SQLite has no exact SUM).</summary>
    public static async Task<Dictionary<string, decimal>> PaidByProviderAsync(DbConnection connection, string contractId)
    {
        var rows = await connection.QueryAsync<(string ProviderId, decimal Amount)>(
            "SELECT provider_id AS ProviderId, amount AS Amount FROM ledger_entries WHERE contract_id = @contractId", new { contractId }).ConfigureAwait(false);
        var totals = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (provider, amount) in rows)
        {
            totals[provider] = totals.GetValueOrDefault(provider) + amount;
        }

        return totals;
    }

    public static async Task<List<ActiveCharge>> ActiveChargesAsync(DbConnection connection, string contractId) =>
        (await connection.QueryAsync<ActiveCharge>(
            """
            SELECT c.id AS Id, c.participant_id AS ParticipantId, c.kind AS Kind, c.requested_amount AS RequestedAmount, c.amount AS Amount
            FROM ledger_entries c
            WHERE c.contract_id = @contractId AND c.entry_type = 'charge'
              AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.corrects_entry_id = c.id)
            """, new { contractId }).ConfigureAwait(false)).AsList();

    /// <summary>
    /// Opens the connection the run writes on. On SQLite:
    /// <list type="bullet">
    /// <item>a page cache large enough to hold the decision indexes of a whole night: with the default 2 MB, inserts
    /// touch pages all over the indexes, each evicted and re-read many times per run;</item>
    /// <item>commits without waiting for the disk (<c>synchronous=NORMAL</c>) and no checkpoints of its own
    /// (<c>wal_autocheckpoint=0</c>): the <see cref="WalCheckpointer"/> syncs and checkpoints the log on a
    /// connection of its own while this one goes on writing, and once more before the run counts as done. With
    /// both on this connection, half of a night's writing time was spent waiting for fsync. A killed process loses
    /// nothing committed; a power cut may lose the batches since the last checkpoint, which the retry decides again
    /// identically (decision and ledger ids are hashes of what they record).</item>
    /// </list>
    /// </summary>
    public async Task<DbConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect.Provider == DatabaseProvider.Sqlite)
        {
            await connection.ExecuteAsync($"PRAGMA cache_size = -{WriterCacheKibibytes}; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;").ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>
    /// Gives a pooled SQLite connection back the settings every other connection has (see
    /// <see cref="DbConnectionFactory"/>), so the memory is freed and later commits wait for the disk again.
    /// </summary>
    public async Task CloseWriterAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (Dialect.Provider == DatabaseProvider.Sqlite && connection.State == System.Data.ConnectionState.Open)
        {
            await connection.ExecuteAsync("PRAGMA cache_size = -2000; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000;").ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The run's checkpointer: real on SQLite, doing nothing on servers that manage their own log.</summary>
    public WalCheckpointer Checkpointer() => new(Dialect.Provider == DatabaseProvider.Sqlite ? connections : null);

    /// <summary>
    /// Writes one batch atomically: snapshots, decisions with their supersession links, the outcome counts reports
    /// read (<see cref="OutcomeCountChanges"/>), ledger entries. Every statement is prepared once per batch and run
    /// per row; every insert ignores a row whose key exists, so a batch committed before a crash and written again by
    /// the retry changes nothing, and the counts change only by the rows that did change.
    /// </summary>
    public async Task WriteAsync(
        DbConnection connection,
        IReadOnlyCollection<(string Hash, Utf8Text Snapshot)> inputs,
        IReadOnlyCollection<DecisionRow> decisions,
        IReadOnlyCollection<LedgerRow> ledger,
        CancellationToken cancellationToken)
    {
        if (decisions.Count == 0 && ledger.Count == 0)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = new PreparedCommand(connection, transaction, Dialect, _insertInput))
        {
            foreach (var (hash, snapshot) in inputs)
            {
                await insert.SetRow(InputParameters, hash, snapshot).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var counts = new OutcomeCountChanges();
        await using (var insert = new PreparedCommand(connection, transaction, Dialect, _insertDecision))
        await using (var supersede = new PreparedCommand(connection, transaction, Dialect, SupersedeSql))
        {
            foreach (var d in decisions)
            {
                var inserted = await insert.SetRow(DecisionParameters,
                    d.Id, d.Sequence, d.ContractId, d.ParticipantId, d.ProviderId, d.Workflow, d.Outcome, d.MeasurementPoint, d.Status,
                    d.ActionOutput, d.ResultTree, d.BundleHash, d.EngineVersion, d.InputHash, d.DataHash, d.AsOf, d.RunId, d.DecidedAt)
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
                if (inserted == 1)
                {
                    counts.Add(d.ContractId, d.ParticipantId, d.ProviderId, d.Workflow, d.Outcome, d.Status, 1);
                }

                if (d.Replaces is { } old
                    && await supersede.SetRow(SupersedeParameters, d.Id, old.Id).ExecuteAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    counts.Add(d.ContractId, old.ParticipantId, old.ProviderId, old.Workflow, old.Outcome, old.Status, -1);
                }
            }
        }

        await counts.WriteAsync(connection, transaction, Dialect, cancellationToken).ConfigureAwait(false);

        await using (var insert = new PreparedCommand(connection, transaction, Dialect, _insertLedger))
        {
            foreach (var l in ledger)
            {
                await insert.SetRow(LedgerParameters,
                    l.Id, l.Sequence, l.ContractId, l.ProviderId, l.ParticipantId, l.DecisionId, l.Kind, l.EntryType, l.CorrectsEntryId,
                    l.Period, l.RequestedAmount, l.Amount, l.CapNote, l.Currency, l.RunId, l.CreatedAt)
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
