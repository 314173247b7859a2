using System.Data.Common;
using System.Globalization;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Security;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>A closed contract whose participant data is due for removal, and how much of it there is.</summary>
/// <param name="ClosedOn">The Stockholm date the contract closed.</param>
/// <param name="RemovableFrom">The first Stockholm date its participant data may no longer be kept.</param>
public sealed record RetentionCandidate(
    string ContractId, string CommissionerId, DateOnly ClosedOn, DateOnly RemovableFrom, int Participants, int MeasurementVersions, int Decisions);

/// <summary>What one retention run removed: the contracts, and the audit entries written for them.</summary>
public sealed record RetentionRun(DateOnly Today, IReadOnlyList<RetentionCandidate> Removed, int AuditEntries);

/// <summary>
/// Removes the participant data of contracts closed for longer than <see cref="RetentionOptions.PeriodYears"/>
/// (decision record: docs/decisions/0005-retention.md). Per contract, in one transaction: the outcome report is
/// stored as it stands; participants and every measurement version are deleted; every decision keeps its outcome,
/// status, output, provider and dates but loses its result tree and its link to the participant; the input
/// snapshots behind the decisions are replaced by a marker; ledger entries lose their link to the participant and
/// keep everything else. The audit entries (one per participant) are queued in the same transaction and written
/// after it commits, so a crash in between is caught up by the next run rather than lost.
/// </summary>
public sealed partial class RetentionSweep(
    DbConnectionFactory connections,
    OutcomeReports reports,
    PrivacyAudit audit,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionSweep> logger)
{
    /// <summary>The queue row that stands for the contract's own audit entry, beside one row per participant.</summary>
    private const string ContractRow = "";

    /// <summary>What a run now would remove: the due contracts with their counts. Changes nothing.</summary>
    public async Task<IReadOnlyList<RetentionCandidate>> PlanAsync(CancellationToken cancellationToken = default)
    {
        var today = ContractCalendar.DateOf(time.GetUtcNow());
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<RetentionCandidate>();
        foreach (var contract in await DueAsync(connection, today).ConfigureAwait(false))
        {
            due.Add(await CountAsync(connection, contract, null).ConfigureAwait(false));
        }

        return due;
    }

    /// <summary>Writes any audit entries an interrupted run left queued, then removes the data of every due contract.</summary>
    public async Task<RetentionRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = ContractCalendar.DateOf(now);
        var audited = await WriteQueuedAuditAsync(cancellationToken).ConfigureAwait(false);
        List<DueContract> due;
        await using (var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            due = await DueAsync(connection, today).ConfigureAwait(false);
        }

        var removed = new List<RetentionCandidate>();
        foreach (var contract in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await RemoveAsync(contract, now, today, cancellationToken).ConfigureAwait(false) is { } done)
            {
                removed.Add(done);
                LogRemoved(logger, done.ContractId, done.ClosedOn, done.Participants, done.MeasurementVersions, done.Decisions);
            }

            audited += await WriteQueuedAuditAsync(cancellationToken).ConfigureAwait(false);
        }

        return new RetentionRun(today, removed, audited);
    }

    /// <summary>Closed, not yet retained contracts whose removal date (Stockholm) is today or earlier.</summary>
    private async Task<List<DueContract>> DueAsync(DbConnection connection, DateOnly today)
    {
        var closed = await connection.QueryAsync<(string Id, string CommissionerId, DateTimeOffset ClosedAt)>(
            "SELECT id, commissioner_id, closed_at FROM contracts WHERE status = 'closed' AND retained_at IS NULL AND closed_at IS NOT NULL ORDER BY closed_at, id")
            .ConfigureAwait(false);
        return closed
            .Select(c => new DueContract(c.Id, c.CommissionerId, ContractCalendar.DateOf(c.ClosedAt), options.Value.RemovableFrom(ContractCalendar.DateOf(c.ClosedAt))))
            .Where(c => c.RemovableFrom <= today)
            .ToList();
    }

    private static async Task<RetentionCandidate> CountAsync(DbConnection connection, DueContract contract, DbTransaction? transaction)
    {
        var counts = await connection.QuerySingleAsync<(int Participants, int Measurements, int Decisions)>(
            """
            SELECT (SELECT COUNT(*) FROM participants WHERE contract_id = @Id),
                   (SELECT COUNT(*) FROM measurements WHERE contract_id = @Id),
                   (SELECT COUNT(*) FROM decisions WHERE contract_id = @Id)
            """, new { contract.Id }, transaction).ConfigureAwait(false);
        return new RetentionCandidate(contract.Id, contract.CommissionerId, contract.ClosedOn, contract.RemovableFrom, counts.Participants, counts.Measurements, counts.Decisions);
    }

    /// <summary>Removes one contract's participant data in one transaction; null when another run already did.</summary>
    private async Task<RetentionCandidate?> RemoveAsync(DueContract contract, DateTimeOffset now, DateOnly today, CancellationToken cancellationToken)
    {
        // Read as the commissioner: the full report, every provider's rows. Taken before the transaction because the
        // report reads on its own connection; nothing changes a closed contract's decisions in between, since
        // closed contracts have no nightly trigger.
        var caller = new Caller(contract.CommissionerId, Roles.Commissioner, PrivacyAudit.RetentionSubject);
        var report = await reports.ReportAsync(caller, contract.Id, today, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Contract '{contract.Id}' has no outcome report for its own commissioner.");
        var marker = RetentionMarker.Json(today);

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The claim: of two instances (or a re-run after a crash that rolled back), exactly one goes on.
        var claimed = await connection.ExecuteAsync(
            "UPDATE contracts SET retained_at = @now WHERE id = @Id AND status = 'closed' AND retained_at IS NULL",
            new { now, contract.Id }, transaction).ConfigureAwait(false);
        if (claimed == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        var counted = await CountAsync(connection, contract, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO retained_reports (contract_id, report, stored_at) VALUES (@Id, @report, @now)",
            new { contract.Id, report = RetainedReports.Serialize(report), now }, transaction).ConfigureAwait(false);

        var participants = await connection.QueryAsync<(string Pseudonym, int Measurements, int Decisions, int Ledger)>(
            """
            SELECT p.pseudonym,
                   (SELECT COUNT(*) FROM measurements m WHERE m.participant_id = p.id),
                   (SELECT COUNT(*) FROM decisions d WHERE d.participant_id = p.id),
                   (SELECT COUNT(*) FROM ledger_entries l WHERE l.participant_id = p.id)
            FROM participants p WHERE p.contract_id = @Id
            """, new { contract.Id }, transaction).ConfigureAwait(false);
        var queue = participants
            .Select(p => new QueueRow(contract.Id, p.Pseudonym,
                Invariant($"removed: participant record, {p.Measurements} measurement version(s), input and result tree of {p.Decisions} decision(s); kept without the link to the participant: {p.Ledger} ledger entry(ies)"),
                now))
            .Append(new QueueRow(contract.Id, ContractRow,
                Invariant($"contract closed {contract.ClosedOn:yyyy-MM-dd}, removable from {contract.RemovableFrom:yyyy-MM-dd}: {counted.Participants} participant(s), {counted.MeasurementVersions} measurement version(s), {counted.Decisions} decision(s) stripped; outcome report and payment ledger kept"),
                now))
            .ToList();
        await connection.ExecuteAsync(
            "INSERT INTO retention_audit_queue (contract_id, pseudonym, detail, removed_at) VALUES (@ContractId, @Pseudonym, @Detail, @RemovedAt)",
            queue, transaction).ConfigureAwait(false);

        // Snapshots are content-addressed and could in principle be shared with a decision of another contract; such a
        // row is that contract's data too and is left alone.
        await connection.ExecuteAsync(
            """
            UPDATE evaluation_inputs SET snapshot = @marker
            WHERE input_hash IN (SELECT d.input_hash FROM decisions d WHERE d.contract_id = @Id)
              AND NOT EXISTS (SELECT 1 FROM decisions o WHERE o.input_hash = evaluation_inputs.input_hash AND o.contract_id <> @Id)
            """, new { marker, contract.Id }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE decisions SET participant_id = NULL, result_tree = @marker WHERE contract_id = @Id",
            new { marker, contract.Id }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE ledger_entries SET participant_id = NULL WHERE contract_id = @Id", new { contract.Id }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM measurements WHERE contract_id = @Id", new { contract.Id }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM participants WHERE contract_id = @Id", new { contract.Id }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return counted;
    }

    /// <summary>
    /// Writes one audit entry per queued removal, then drops the queue row. A crash between the two writes the
    /// entry once more on the next run: an entry may repeat, none is ever missing.
    /// </summary>
    private async Task<int> WriteQueuedAuditAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var queued = (await connection.QueryAsync<QueueRow>(
            """
            SELECT q.contract_id AS ContractId, q.pseudonym AS Pseudonym, q.detail AS Detail, q.removed_at AS RemovedAt, c.commissioner_id AS CommissionerId
            FROM retention_audit_queue q JOIN contracts c ON c.id = q.contract_id
            ORDER BY q.removed_at, q.contract_id, q.pseudonym
            """).ConfigureAwait(false)).AsList();
        foreach (var row in queued)
        {
            await audit.RemovedAsync(row.CommissionerId!, row.ContractId, row.Pseudonym == ContractRow ? null : row.Pseudonym, row.Detail, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "DELETE FROM retention_audit_queue WHERE contract_id = @ContractId AND pseudonym = @Pseudonym", row).ConfigureAwait(false);
        }

        return queued.Count;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record DueContract(string Id, string CommissionerId, DateOnly ClosedOn, DateOnly RemovableFrom);

    /// <summary>A queued audit entry; a class with setters because Dapper fills it from a join with one more column.</summary>
    private sealed class QueueRow
    {
        public QueueRow()
        {
        }

        public QueueRow(string contractId, string pseudonym, string detail, DateTimeOffset removedAt)
        {
            ContractId = contractId;
            Pseudonym = pseudonym;
            Detail = detail;
            RemovedAt = removedAt;
        }

        public string ContractId { get; set; } = "";

        public string Pseudonym { get; set; } = "";

        public string Detail { get; set; } = "";

        public DateTimeOffset RemovedAt { get; set; }

        public string? CommissionerId { get; set; }
    }

    [LoggerMessage(LogLevel.Information, "Retention: removed the participant data of contract {ContractId} (closed {ClosedOn}): {Participants} participant(s), {Measurements} measurement version(s), {Decisions} decision(s) stripped")]
    private static partial void LogRemoved(ILogger logger, string contractId, DateOnly closedOn, int participants, int measurements, int decisions);
}
