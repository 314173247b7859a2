using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using ConfigurableContracts.Core.Templates;
using Dapper;

namespace ConfigurableContracts.Core.Outcomes;

/// <summary>
/// Keeps <c>report_open_follow_ups</c> equal to what the measurement plan still expects of each participant: one
/// row per planned point that has no measurement, unless the participant left before it was due, with the day its
/// window closes; and <c>report_follow_up_counts</c> equal to those rows counted per provider, point and day. An
/// outcome report sums the counts of the days before its date instead of parsing every participant record.
/// <para>
/// Enrolments, record corrections and measurements are written by intake, which knows nothing of reports; database
/// triggers note the participant in <c>report_follow_up_changes</c> in the same transaction, whichever path writes,
/// and the next report recomputes those participants here before it reads. A contract whose rows were never
/// computed, or were computed for another template bundle, is recomputed whole in one transaction (migration 0010
/// leaves existing contracts to this first read). Each step is one transaction that takes the contract's state row
/// first, so two reports never apply the same changes twice; a report that is cancelled or killed mid-way leaves the
/// changes it did not commit for the next one. Changes are removed before the participants they name are read: on a
/// server (read committed), a write that commits in between is either read or leaves its change for the next step.
/// </para>
/// </summary>
internal static class OpenFollowUps
{
    /// <summary>Changes taken per transaction: after a bulk upload of 100 000 enrolments the next report commits in steps, not all at once.</summary>
    private const int ChangesPerStep = 2000;

    /// <summary>Ids per IN list: SQL Server takes at most 2 100 parameters per statement.</summary>
    private const int IdsPerStatement = 500;

    private const string InsertSql =
        "INSERT INTO report_open_follow_ups (contract_id, participant_id, point, provider_id, window_end) VALUES (@ContractId, @ParticipantId, @Point, @ProviderId, @WindowEnd)";

    private static readonly string[] InsertParameters = ["@ContractId", "@ParticipantId", "@Point", "@ProviderId", "@WindowEnd"];

    private static readonly string[] CountParameters = ["@ContractId", "@WindowEnd", "@ProviderId", "@Point", "@Change"];

    /// <summary>The template bundle of a contract whose rows are not computed yet.</summary>
    private const string NotComputed = "";

    /// <summary>Brings the contract's rows up to date; two indexed lookups when nothing changed since the last report.</summary>
    public static async Task RefreshAsync(
        DbConnection connection, SqlDialect dialect, string contractId, string bundleHash, MeasurementPlan plan, string? exitDateField,
        CancellationToken cancellationToken)
    {
        var state = await connection.QuerySingleAsync<(string? BundleHash, long? FirstChange)>(RequestCommand.Of(
            """
            SELECT (SELECT bundle_hash FROM report_follow_up_state WHERE contract_id = @contractId),
                   (SELECT MIN(id) FROM report_follow_up_changes WHERE contract_id = @contractId)
            """, new { contractId }, cancellationToken)).ConfigureAwait(false);
        if (state.BundleHash == bundleHash && state.FirstChange is null)
        {
            return;
        }

        if (state.BundleHash is null)
        {
            await connection.ExecuteAsync(RequestCommand.Of(
                dialect.InsertIfAbsent("report_follow_up_state", ["contract_id", "bundle_hash"], "contract_id"),
                new { ContractId = contractId, BundleHash = NotComputed }, cancellationToken)).ConfigureAwait(false);
        }

        while (await StepAsync(connection, dialect, contractId, bundleHash, plan, exitDateField, cancellationToken).ConfigureAwait(false))
        {
        }
    }

    /// <summary>One transaction of work; false once nothing is left to do.</summary>
    private static async Task<bool> StepAsync(
        DbConnection connection, SqlDialect dialect, string contractId, string bundleHash, MeasurementPlan plan, string? exitDateField,
        CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var key = new { contractId };

        // The lock: an update of the contract's state row, held to commit, which every refresher takes first.
        await connection.ExecuteAsync(RequestCommand.Of(
            "UPDATE report_follow_up_state SET bundle_hash = bundle_hash WHERE contract_id = @contractId", key, cancellationToken, transaction)).ConfigureAwait(false);
        var computedWith = await connection.ExecuteScalarAsync<string>(RequestCommand.Of(
            "SELECT bundle_hash FROM report_follow_up_state WHERE contract_id = @contractId", key, cancellationToken, transaction)).ConfigureAwait(false);
        if (computedWith != bundleHash)
        {
            await RebuildAsync(connection, transaction, dialect, contractId, bundleHash, plan, exitDateField, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        var changes = (await connection.QueryAsync<(long Id, string ParticipantId)>(RequestCommand.Of(
            $"SELECT id, participant_id FROM report_follow_up_changes WHERE contract_id = @contractId ORDER BY id {dialect.Page("@count", "0")}",
            new { contractId, count = ChangesPerStep }, cancellationToken, transaction)).ConfigureAwait(false)).AsList();
        if (changes.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        // Exactly the changes read: any written since (on a server, by a transaction that committed meanwhile) stay for the next step.
        foreach (var done in changes.Select(c => c.Id).Chunk(IdsPerStatement))
        {
            await connection.ExecuteAsync(RequestCommand.Of(
                $"DELETE FROM report_follow_up_changes WHERE {dialect.InList("id", "@done")}", new { done }, cancellationToken, transaction)).ConfigureAwait(false);
        }

        var counts = new Dictionary<(string Provider, string Point, DateOnly WindowEnd), int>();
        var open = new List<OpenFollowUp>();
        foreach (var ids in changes.Select(c => c.ParticipantId).Distinct(StringComparer.Ordinal).Chunk(IdsPerStatement))
        {
            var parameters = new { contractId, ids };
            var before = await connection.QueryAsync<(string ProviderId, string Point, DateOnly WindowEnd)>(RequestCommand.Of(
                $"SELECT provider_id, point, window_end FROM report_open_follow_ups WHERE contract_id = @contractId AND {dialect.InList("participant_id", "@ids")}",
                parameters, cancellationToken, transaction)).ConfigureAwait(false);
            foreach (var row in before)
            {
                counts[row] = counts.GetValueOrDefault(row) - 1;
            }

            await connection.ExecuteAsync(RequestCommand.Of(
                $"DELETE FROM report_open_follow_ups WHERE contract_id = @contractId AND {dialect.InList("participant_id", "@ids")}",
                parameters, cancellationToken, transaction)).ConfigureAwait(false);
            var participants = await connection.QueryAsync<ParticipantDates>(RequestCommand.Of(
                $"SELECT id AS Id, provider_id AS ProviderId, enrolment_date AS EnrolmentDate, record AS Record FROM participants WHERE contract_id = @contractId AND {dialect.InList("id", "@ids")}",
                parameters, cancellationToken, transaction)).ConfigureAwait(false);
            var measured = (await connection.QueryAsync<(string ParticipantId, string Point)>(RequestCommand.Of(
                $"SELECT DISTINCT participant_id, point FROM measurements WHERE contract_id = @contractId AND {dialect.InList("participant_id", "@ids")}",
                parameters, cancellationToken, transaction)).ConfigureAwait(false)).ToHashSet();
            open.AddRange(participants.SelectMany(p => Open(contractId, p, measured, plan, exitDateField)));
        }

        await WriteAsync(connection, transaction, dialect, contractId, open, counts, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Recomputes a contract's rows from all its participants and measurements, read once, and marks them computed
    /// with <paramref name="bundleHash"/>: what the first report after migration 0010 does, in one transaction.
    /// </summary>
    private static async Task RebuildAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, string contractId, string bundleHash, MeasurementPlan plan, string? exitDateField,
        CancellationToken cancellationToken)
    {
        var key = new { contractId };
        foreach (var table in new[] { "report_follow_up_changes", "report_open_follow_ups", "report_follow_up_counts" })
        {
            await connection.ExecuteAsync(RequestCommand.Of($"DELETE FROM {table} WHERE contract_id = @contractId", key, cancellationToken, transaction)).ConfigureAwait(false);
        }

        var measured = (await connection.QueryAsync<(string ParticipantId, string Point)>(RequestCommand.Of(
            "SELECT DISTINCT participant_id, point FROM measurements WHERE contract_id = @contractId", key, cancellationToken, transaction)).ConfigureAwait(false)).ToHashSet();

        // Streamed: only the open follow-ups are kept, not every record.
        var open = new List<OpenFollowUp>();
        var participants = connection.QueryUnbufferedAsync<ParticipantDates>(
            "SELECT id AS Id, provider_id AS ProviderId, enrolment_date AS EnrolmentDate, record AS Record FROM participants WHERE contract_id = @contractId",
            key, transaction, RequestCommand.TimeoutSeconds);
        await foreach (var participant in participants.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            open.AddRange(Open(contractId, participant, measured, plan, exitDateField));
        }

        await WriteAsync(connection, transaction, dialect, contractId, open, [], cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(RequestCommand.Of(
            "UPDATE report_follow_up_state SET bundle_hash = @bundleHash WHERE contract_id = @contractId", new { contractId, bundleHash }, cancellationToken, transaction)).ConfigureAwait(false);
    }

    /// <summary>The planned points a participant still owes: not measured, and not due after the participant left.</summary>
    private static IEnumerable<OpenFollowUp> Open(string contractId, ParticipantDates participant, HashSet<(string, string)> measured, MeasurementPlan plan, string? exitDateField)
    {
        var exited = exitDateField is null ? null : ExitDate(participant.Record, exitDateField);
        foreach (var point in plan.Points)
        {
            // A participant who left before a point was due is not overdue for it.
            if (measured.Contains((participant.Id, point.Id)) || (exited is { } exit && exit < point.DueDate(participant.EnrolmentDate)))
            {
                continue;
            }

            yield return new OpenFollowUp(contractId, participant.Id, point.Id, participant.ProviderId, point.WindowEnd(participant.EnrolmentDate));
        }
    }

    /// <summary>Inserts the open follow-ups and adds them, with the removals already in <paramref name="counts"/>, to the counts.</summary>
    private static async Task WriteAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, string contractId, List<OpenFollowUp> open,
        Dictionary<(string Provider, string Point, DateOnly WindowEnd), int> counts, CancellationToken cancellationToken)
    {
        await using (var insert = new PreparedCommand(connection, transaction, dialect, InsertSql))
        {
            foreach (var row in open)
            {
                await insert.SetRow(InsertParameters, row.ContractId, row.ParticipantId, row.Point, row.ProviderId, row.WindowEnd).ExecuteAsync(cancellationToken).ConfigureAwait(false);
                var group = (row.ProviderId, row.Point, row.WindowEnd);
                counts[group] = counts.GetValueOrDefault(group) + 1;
            }
        }

        await using var add = new PreparedCommand(connection, transaction, dialect,
            ReportCounts.AddSql(dialect, "report_follow_up_counts", ["contract_id", "window_end", "provider_id", "point"], "participants"));
        foreach (var ((provider, point, windowEnd), change) in counts.Where(c => c.Value != 0))
        {
            await add.SetRow(CountParameters, contractId, windowEnd, provider, point, change).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The participant's exit date, from the field the template's participantFields.exitDate names.</summary>
    private static DateOnly? ExitDate(string record, string field)
    {
        using var document = JsonDocument.Parse(record);
        return document.RootElement.TryGetProperty(field, out var exit) && exit.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(exit.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    private sealed record OpenFollowUp(string ContractId, string ParticipantId, string Point, string ProviderId, DateOnly WindowEnd);

    /// <summary>A participant as its follow-ups need it; a class with setters for Dapper's unbuffered reads.</summary>
    private sealed class ParticipantDates
    {
        public string Id { get; set; } = "";

        public string ProviderId { get; set; } = "";

        public DateOnly EnrolmentDate { get; set; }

        public string Record { get; set; } = "";
    }
}
