using System.Data.Common;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ConfigurableContracts.Core.Runs;

/// <summary>
/// Reads and writes <c>evaluation_runs</c>. Every state change of a run is one conditional UPDATE, so two
/// instances (or a manual and a scheduled run) racing for the same contract cannot both win: the partial
/// unique index on active runs and the lease columns decide.
/// </summary>
public sealed class EvaluationRunStore(DbConnectionFactory connections)
{
    private const string Columns =
        """
        id AS Id, contract_id AS ContractId, triggered_by AS TriggeredBy, status AS Status, scheduled_for AS ScheduledFor,
        created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt, attempt AS Attempt, instance_id AS InstanceId,
        holder_process AS HolderProcess, lease_expires_at AS LeaseExpiresAt, participants_total AS ParticipantsTotal, participants_done AS ParticipantsDone,
        progress_at AS ProgressAt, counts AS Counts, error AS Error
        """;

    private const string Claimable =
        "(status = 'queued' OR (status IN ('running', 'retrying') AND (lease_expires_at IS NULL OR lease_expires_at < @now)))";

    public async Task<EvaluationRun?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {Columns} FROM evaluation_runs WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToRun();
    }

    /// <summary>The run standing for one occurrence (contract, trigger, scheduled instant), if any.</summary>
    public async Task<EvaluationRun?> FindAsync(string contractId, RunTrigger trigger, DateTimeOffset scheduledFor, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {Columns} FROM evaluation_runs WHERE contract_id = @contractId AND triggered_by = @trigger AND scheduled_for = @scheduledFor",
            new { contractId, trigger = RunNames.Of(trigger), scheduledFor }).ConfigureAwait(false);
        return row?.ToRun();
    }

    /// <summary>The contract's queued or running run, if it has one.</summary>
    public async Task<EvaluationRun?> ActiveAsync(string contractId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {Columns} FROM evaluation_runs WHERE contract_id = @contractId AND status IN ('queued', 'running', 'retrying')",
            new { contractId }).ConfigureAwait(false);
        return row?.ToRun();
    }

    /// <summary>
    /// Every active run (queued, running or retrying), oldest first: at start-up, the runs an earlier process was
    /// asked for or was doing when it stopped. That includes runs whose lease has not lapsed yet: a process killed
    /// and restarted at once finds the lease its previous self renewed moments ago still live, and nothing else
    /// would ever resume those runs on a single instance. Whoever resumes one claims it at once when its holder is
    /// provably gone (<see cref="RunHolder"/>), else waits its lease out.
    /// </summary>
    public async Task<IReadOnlyList<EvaluationRun>> UnfinishedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RunRow>(
            $"SELECT {Columns} FROM evaluation_runs WHERE status IN ('queued', 'running', 'retrying') ORDER BY created_at").ConfigureAwait(false);
        return rows.Select(r => r.ToRun()).ToList();
    }

    /// <summary>The latest nightly instant (scheduled or caught up) that has a run, for catch-up decisions.</summary>
    public async Task<DateTimeOffset?> LastNightlyAsync(string contractId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<DateTimeOffset?>(
            "SELECT MAX(scheduled_for) FROM evaluation_runs WHERE contract_id = @contractId AND triggered_by IN ('schedule', 'catch-up')",
            new { contractId }).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts a new run; false when a unique rule refuses it: the contract already has an active run, or this
    /// occurrence already has a run.
    /// </summary>
    public async Task<bool> TryInsertAsync(EvaluationRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO evaluation_runs (id, contract_id, triggered_by, status, scheduled_for, created_at, started_at, finished_at, attempt,
                    instance_id, holder_process, lease_expires_at, participants_total, participants_done, progress_at, counts, error)
                VALUES (@Id, @ContractId, @TriggeredBy, @Status, @ScheduledFor, @CreatedAt, @StartedAt, @FinishedAt, @Attempt,
                    @InstanceId, @HolderProcess, @LeaseExpiresAt, @ParticipantsTotal, @ParticipantsDone, @ProgressAt, @Counts, @Error)
                """,
                RunRow.From(run)).ConfigureAwait(false);
            return true;
        }
        catch (DbException exception) when (IsUniqueViolation(exception))
        {
            return false;
        }
    }

    /// <summary>
    /// Makes <paramref name="instanceId"/> the run's holder and starts an attempt, when the run is queued or its
    /// previous holder's lease has lapsed. False when someone else holds it or it has finished.
    /// <paramref name="holderProcess"/> records which process holds it (<see cref="RunHolder.Current"/> by default).
    /// </summary>
    public async Task<bool> TryClaimAsync(string id, string instanceId, DateTimeOffset now, DateTimeOffset leaseUntil, string? holderProcess = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            $"""
            UPDATE evaluation_runs
            SET status = 'running', attempt = attempt + 1, instance_id = @instanceId, holder_process = @holder,
                started_at = COALESCE(started_at, @now), lease_expires_at = @leaseUntil, error = NULL
            WHERE id = @id AND {Claimable}
            """,
            new { id, instanceId, holder = holderProcess ?? RunHolder.Current, now, leaseUntil }).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>
    /// Takes over a run whose lease is still live from a holder known to be gone (a previous life of this instance),
    /// when the run is still held by exactly <paramref name="previousInstanceId"/> and <paramref name="previousHolder"/>:
    /// of two instances that both saw the same dead holder, one wins. False when the run changed meanwhile.
    /// </summary>
    public async Task<bool> TryTakeOverAsync(
        string id, string instanceId, string? previousInstanceId, string previousHolder, DateTimeOffset now, DateTimeOffset leaseUntil,
        string? holderProcess = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE evaluation_runs
            SET status = 'running', attempt = attempt + 1, instance_id = @instanceId, holder_process = @holder,
                started_at = COALESCE(started_at, @now), lease_expires_at = @leaseUntil, error = NULL
            WHERE id = @id AND status IN ('running', 'retrying') AND instance_id = @previousInstanceId AND holder_process = @previousHolder
            """,
            new { id, instanceId, holder = holderProcess ?? RunHolder.Current, previousInstanceId, previousHolder, now, leaseUntil }).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Writes progress and renews the lease; false when this instance no longer holds the run.</summary>
    public async Task<bool> ReportProgressAsync(string id, string instanceId, EvaluationProgress progress, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE evaluation_runs
            SET participants_done = @done, participants_total = @total, progress_at = @now, lease_expires_at = @leaseUntil
            WHERE id = @id AND instance_id = @instanceId AND status = 'running'
            """,
            new { id, instanceId, done = progress.ParticipantsDone, total = progress.ParticipantsTotal, now, leaseUntil }).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Records a transient failure the holder will retry after a backoff; the lease covers the wait.</summary>
    public Task<bool> MarkRetryingAsync(string id, string instanceId, string error, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        UpdateHeldAsync(
            "status = 'retrying', error = @error, lease_expires_at = @leaseUntil",
            new { id, instanceId, error, leaseUntil }, cancellationToken);

    /// <summary>Starts the next attempt after a backoff.</summary>
    public Task<bool> ResumeAsync(string id, string instanceId, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        UpdateHeldAsync(
            "status = 'running', attempt = attempt + 1, lease_expires_at = @leaseUntil",
            new { id, instanceId, leaseUntil }, cancellationToken);

    /// <summary>
    /// Hands an interrupted run back (shutdown): it stays active, its lease ends now, so whichever instance
    /// recovers the firing can claim it at once.
    /// </summary>
    public Task<bool> ReleaseAsync(string id, string instanceId, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        UpdateHeldAsync(
            "status = 'retrying', error = @reason, lease_expires_at = @now",
            new { id, instanceId, reason, now }, cancellationToken);

    /// <summary>Finishes a run the caller holds, as succeeded (with its outcome) or failed (with a safe error).</summary>
    public async Task<bool> CompleteAsync(string id, string instanceId, DateTimeOffset finishedAt, EvaluationOutcome? outcome, string? error, CancellationToken cancellationToken = default)
    {
        var parameters = new
        {
            id,
            instanceId,
            finishedAt,
            status = outcome is null ? "failed" : "succeeded",
            total = outcome?.ParticipantsTotal,
            counts = outcome is null ? null : JsonSerializer.Serialize(outcome.Counts),
            error,
        };
        var succeededSet = outcome is null ? string.Empty : ", participants_total = @total, participants_done = @total";
        return await UpdateHeldAsync(
            $"status = @status, finished_at = @finishedAt, lease_expires_at = NULL, counts = @counts, error = @error{succeededSet}",
            parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs newest first, filtered by contract and status, one page at a time, with the total count.</summary>
    public async Task<(IReadOnlyList<EvaluationRun> Runs, int Total)> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var conditions = new List<string>();
        if (query.ContractId is not null)
        {
            conditions.Add("contract_id = @ContractId");
        }

        if (query.Status is not null)
        {
            conditions.Add("status = @StatusName");
        }

        var where = conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", conditions);
        var parameters = new { query.ContractId, StatusName = query.Status is { } s ? RunNames.Of(s) : null, Limit = query.PageSize, Offset = (query.Page - 1) * query.PageSize };
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM evaluation_runs {where}", parameters).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RunRow>(
            $"SELECT {Columns} FROM evaluation_runs {where} ORDER BY created_at DESC, id DESC {connections.Dialect.Page("@Limit", "@Offset")}",
            parameters).ConfigureAwait(false);
        return (rows.Select(r => r.ToRun()).ToList(), total);
    }

    private async Task<bool> UpdateHeldAsync(string set, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            $"UPDATE evaluation_runs SET {set} WHERE id = @id AND instance_id = @instanceId AND status IN ('running', 'retrying')",
            parameters).ConfigureAwait(false);
        return changed == 1;
    }

    private static bool IsUniqueViolation(DbException exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqlException sqlServer => sqlServer.Number is 2601 or 2627,
        _ => false,
    };

    private sealed class RunRow
    {
        public string Id { get; set; } = "";

        public string ContractId { get; set; } = "";

        public string TriggeredBy { get; set; } = "";

        public string Status { get; set; } = "";

        public DateTimeOffset ScheduledFor { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public int Attempt { get; set; }

        public string? InstanceId { get; set; }

        public string? HolderProcess { get; set; }

        public DateTimeOffset? LeaseExpiresAt { get; set; }

        public int? ParticipantsTotal { get; set; }

        public int ParticipantsDone { get; set; }

        public DateTimeOffset? ProgressAt { get; set; }

        public string? Counts { get; set; }

        public string? Error { get; set; }

        public static RunRow From(EvaluationRun run) => new()
        {
            Id = run.Id,
            ContractId = run.ContractId,
            TriggeredBy = RunNames.Of(run.Trigger),
            Status = RunNames.Of(run.Status),
            ScheduledFor = run.ScheduledFor,
            CreatedAt = run.CreatedAt,
            StartedAt = run.StartedAt,
            FinishedAt = run.FinishedAt,
            Attempt = run.Attempt,
            InstanceId = run.InstanceId,
            HolderProcess = run.HolderProcess,
            LeaseExpiresAt = run.LeaseExpiresAt,
            ParticipantsTotal = run.ParticipantsTotal,
            ParticipantsDone = run.ParticipantsDone,
            ProgressAt = run.ProgressAt,
            Counts = run.Counts is null ? null : JsonSerializer.Serialize(run.Counts),
            Error = run.Error,
        };

        public EvaluationRun ToRun() => new()
        {
            Id = Id,
            ContractId = ContractId,
            Trigger = RunNames.ParseTrigger(TriggeredBy),
            Status = RunNames.TryParseStatus(Status, out var status) ? status : throw new FormatException($"Unknown run status '{Status}'."),
            ScheduledFor = ScheduledFor,
            CreatedAt = CreatedAt,
            StartedAt = StartedAt,
            FinishedAt = FinishedAt,
            Attempt = Attempt,
            InstanceId = InstanceId,
            HolderProcess = HolderProcess,
            LeaseExpiresAt = LeaseExpiresAt,
            ParticipantsTotal = ParticipantsTotal,
            ParticipantsDone = ParticipantsDone,
            ProgressAt = ProgressAt,
            Counts = Counts is null ? null : JsonSerializer.Deserialize<Dictionary<string, long>>(Counts),
            Error = Error,
        };
    }
}

/// <summary>A page of the run list: optional contract and status filters, 1-based page.</summary>
public sealed record RunQuery(string? ContractId = null, RunStatus? Status = null, int Page = 1, int PageSize = 50);
