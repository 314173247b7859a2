using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Core.Tests.Decisions;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Outcomes;

/// <summary>
/// Outcome reports read aggregates kept as data is written; these tests hold them to what counting the decisions,
/// participants and measurements themselves gives (the way reports were computed before migration 0010), after
/// re-runs, corrections, late enrolments, batches written twice and a rebuild from nothing.
/// </summary>
public abstract class OutcomeReportAggregateTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly Caller Commissioner = new("commissioner", Roles.Commissioner, "test");
    private static readonly Caller ProviderA = new(EvaluationFixture.ProviderA, Roles.Provider, "test");
    private static readonly DateOnly[] ReportDates = [new(2022, 1, 20), new(2022, 2, 15), new(2022, 5, 1), new(2022, 6, 1), new(2022, 9, 1), new(2023, 1, 1)];

    private static async Task<EvaluationFixture> FixtureAsync()
    {
        var (database, connections) = await CreateMigratedAsync();
        return await EvaluationFixture.CreateAsync(database, connections);
    }

    [StoreFact]
    public async Task Report_EqualsCountsOfTheRows_AfterReRunsCorrectionsAndLateEnrolments()
    {
        await using var fixture = await FixtureAsync();
        var reports = new OutcomeReports(fixture.Connections, fixture.Bundles);
        await EnrolVariedAsync(fixture, 0, 30);
        await fixture.EvaluateAsync(new DateOnly(2022, 6, 1));
        await AssertReportsMatchRowsAsync(fixture, reports);

        // Corrected follow-ups (new versions, new decisions superseding old ones), late enrolments, a second run.
        await using (var connection = await fixture.Connections.OpenAsync())
        {
            foreach (var i in new[] { 1, 4, 7, 10 })
            {
                await InsertMeasurementAsync(connection, Id(i), "followUp", new DateOnly(2022, 4, 20), score: 30, version: 2);
            }
        }

        await EnrolVariedAsync(fixture, 30, 12);
        await AssertReportsMatchRowsAsync(fixture, reports);
        await fixture.EvaluateAsync(new DateOnly(2022, 7, 1), "run-2");
        await AssertReportsMatchRowsAsync(fixture, reports);
        await fixture.EvaluateAsync(new DateOnly(2022, 7, 2), "run-3");
        await AssertReportsMatchRowsAsync(fixture, reports);
    }

    [StoreFact]
    public async Task OutcomeCounts_ChangeOnlyByTheRowsWritten_WhenABatchIsWrittenAgain()
    {
        await using var fixture = await FixtureAsync();
        var id = await fixture.EnrolAsync("HV-0001", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(id, "baseline", 20);
        await fixture.MeasureAsync(id, "followUp", 10);
        await fixture.EvaluateAsync(new DateOnly(2022, 6, 1));
        var store = new EvaluationStore(fixture.Connections);
        await using var connection = await fixture.Connections.OpenAsync();
        var current = await connection.QuerySingleAsync<CurrentDecision>(
            """
            SELECT id AS Id, participant_id AS ParticipantId, provider_id AS ProviderId, workflow AS Workflow, outcome AS Outcome,
                   status AS Status, action_output AS ActionOutput, data_hash AS DataHash
            FROM decisions WHERE participant_id = @id AND outcome = 'Improved' AND superseded_by IS NULL
            """, new { id });
        var stored = await connection.QuerySingleAsync<(long Sequence, string BundleHash, string InputHash)>(
            "SELECT MAX(sequence), MIN(bundle_hash), MIN(input_hash) FROM decisions WHERE contract_id = @ContractId", new { EvaluationFixture.ContractId });
        var replacement = new DecisionRow(
            $"{stored.Sequence + 1:x12}{new string('e', 52)}", stored.Sequence + 1, EvaluationFixture.ContractId, id, EvaluationFixture.ProviderA, current.Workflow,
            current.Outcome, "followUp", "NotAchieved", null, new Utf8Text("{}"u8.ToArray()), stored.BundleHash, ContractEvaluator.EngineVersion,
            stored.InputHash, "data", new DateOnly(2022, 7, 1), "run-x", DateTimeOffset.UnixEpoch, current);

        // The batch as first committed, then as a retry after a crash writes it again: the second changes nothing.
        await store.WriteAsync(connection, [], [replacement], [], CancellationToken.None);
        var once = await CountsAsync(connection);
        await store.WriteAsync(connection, [], [replacement], [], CancellationToken.None);

        Assert.Equal(once, await CountsAsync(connection));
        Assert.Equal(await CurrentDecisionCountsAsync(connection), once);
        Assert.Contains((EvaluationFixture.ProviderA, "Improved", "NotAchieved", 1), once);
        Assert.DoesNotContain(once, c => c.Outcome == "Improved" && c.Status == "Achieved");
    }

    [StoreFact]
    public async Task OpenFollowUps_LeaveOutPointsDueAfterTheParticipantLeft_AndFollowCorrections()
    {
        await using var fixture = await FixtureAsync();
        var plan = new MeasurementPlan([new MeasurementPoint("baseline", "baseline", 0, 0, 30), new MeasurementPoint("followUp", "followUp", 6, 14, 30)]);
        await using var connection = await fixture.Connections.OpenAsync();
        // Enrolled 31 August: the follow-up is due 28 February (month arithmetic clamps), its window closes 30 March.
        await InsertParticipantAsync(connection, "p-left", EvaluationFixture.ProviderA, new DateOnly(2021, 8, 31), """{"exitDate":"2022-02-27"}""");
        await InsertParticipantAsync(connection, "p-left-on-due-day", EvaluationFixture.ProviderB, new DateOnly(2021, 8, 31), """{"exitDate":"2022-02-28"}""");
        await InsertParticipantAsync(connection, "p-stays", EvaluationFixture.ProviderB, new DateOnly(2021, 8, 31), """{"exitDate":"not a date"}""");

        var open = await OpenAsync(connection, fixture, plan);

        Assert.Equal(
            [("p-left", "baseline", new DateOnly(2021, 9, 30)), ("p-left-on-due-day", "baseline", new DateOnly(2021, 9, 30)), ("p-left-on-due-day", "followUp", new DateOnly(2022, 3, 30)),
             ("p-stays", "baseline", new DateOnly(2021, 9, 30)), ("p-stays", "followUp", new DateOnly(2022, 3, 30))],
            open);

        // A correction that removes the exit date, and a measurement, are both seen by the next refresh.
        await connection.ExecuteAsync("UPDATE participants SET record = '{}', row_version = row_version + 1 WHERE id = 'p-left'");
        await InsertMeasurementAsync(connection, "p-stays", "followUp", new DateOnly(2022, 3, 1), score: 5);

        Assert.Equal(
            [("p-left", "baseline", new DateOnly(2021, 9, 30)), ("p-left", "followUp", new DateOnly(2022, 3, 30)), ("p-left-on-due-day", "baseline", new DateOnly(2021, 9, 30)),
             ("p-left-on-due-day", "followUp", new DateOnly(2022, 3, 30)), ("p-stays", "baseline", new DateOnly(2021, 9, 30))],
            await OpenAsync(connection, fixture, plan));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM report_follow_up_changes"));
        Assert.Equal(
            [(EvaluationFixture.ProviderA, "baseline", new DateOnly(2021, 9, 30), 1), (EvaluationFixture.ProviderA, "followUp", new DateOnly(2022, 3, 30), 1),
             (EvaluationFixture.ProviderB, "baseline", new DateOnly(2021, 9, 30), 2), (EvaluationFixture.ProviderB, "followUp", new DateOnly(2022, 3, 30), 1)],
            (await connection.QueryAsync<(string, string, DateOnly, int)>(
                "SELECT provider_id, point, window_end, participants FROM report_follow_up_counts WHERE participants <> 0 ORDER BY provider_id, point")).AsList());
    }

    [StoreFact]
    public async Task Report_IsRebuiltWhole_ForAContractEvaluatedBeforeTheMigration()
    {
        await using var fixture = await FixtureAsync();
        var reports = new OutcomeReports(fixture.Connections, fixture.Bundles);
        await EnrolVariedAsync(fixture, 0, 20);
        await fixture.EvaluateAsync(new DateOnly(2022, 6, 1));
        var before = JsonSerializer.Serialize(await reports.ReportAsync(Commissioner, EvaluationFixture.ContractId, new DateOnly(2022, 6, 1)));

        // As migration 0010 leaves a contract: no follow-up rows, no state, no changes noted.
        await using (var connection = await fixture.Connections.OpenAsync())
        {
            foreach (var table in new[] { "report_open_follow_ups", "report_follow_up_counts", "report_follow_up_state", "report_follow_up_changes" })
            {
                await connection.ExecuteAsync($"DELETE FROM {table}");
            }
        }

        Assert.Equal(before, JsonSerializer.Serialize(await reports.ReportAsync(Commissioner, EvaluationFixture.ContractId, new DateOnly(2022, 6, 1))));
        await AssertReportsMatchRowsAsync(fixture, reports);
    }

    [StoreFact]
    public async Task Report_StopsWithTheRequest_WhenCancelled()
    {
        await using var fixture = await FixtureAsync();
        var reports = new OutcomeReports(fixture.Connections, fixture.Bundles);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reports.ReportAsync(Commissioner, EvaluationFixture.ContractId, new DateOnly(2022, 6, 1), cancelled.Token));
    }

    /// <summary>
    /// Participants <c>p-V000</c>… enrolled on dates two weeks apart from November 2021, alternating providers; every
    /// third has no baseline, every other a follow-up (improved or not), some a second baseline version.
    /// </summary>
    private static async Task EnrolVariedAsync(EvaluationFixture fixture, int from, int count)
    {
        await using var connection = await fixture.Connections.OpenAsync();
        for (var i = from; i < from + count; i++)
        {
            var enrolled = new DateOnly(2021, 11, 1).AddDays(14 * (i % 20));
            await InsertParticipantAsync(connection, Id(i), i % 2 == 0 ? EvaluationFixture.ProviderA : EvaluationFixture.ProviderB, enrolled, "{}");
            if (i % 3 != 0)
            {
                await InsertMeasurementAsync(connection, Id(i), "baseline", enrolled.AddDays(2), score: 20);
            }

            if (i % 5 == 1)
            {
                await InsertMeasurementAsync(connection, Id(i), "baseline", enrolled.AddDays(3), score: 21, version: 2);
            }

            if (i % 2 == 1)
            {
                await InsertMeasurementAsync(connection, Id(i), "followUp", enrolled.AddMonths(3), score: i % 4 == 1 ? 10 : 25);
            }
        }
    }

    private static string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"p-V{i:D3}");

    private static async Task InsertParticipantAsync(DbConnection connection, string id, string provider, DateOnly enrolled, string record) =>
        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES (@id, @ContractId, @provider, @id, @enrolled, @record, 1, @now, 'test', @now)
            """, new { id, EvaluationFixture.ContractId, provider, enrolled, record, now = DateTimeOffset.UnixEpoch });

    private static async Task InsertMeasurementAsync(DbConnection connection, string participantId, string point, DateOnly measuredOn, int score, int version = 1)
    {
        var provider = await connection.ExecuteScalarAsync<string>("SELECT provider_id FROM participants WHERE id = @participantId", new { participantId });
        await connection.ExecuteAsync(
            """
            INSERT INTO measurements (id, participant_id, contract_id, provider_id, point, version, measured_on, document, recorded_at, recorded_by)
            VALUES (@id, @participantId, @ContractId, @provider, @point, @version, @measuredOn, @document, @now, 'test')
            """, new
            {
                id = $"m-{participantId}-{point}-{version}", participantId, EvaluationFixture.ContractId, provider, point, version, measuredOn,
                document = $$"""{"point":"{{point}}","score":{{score}}}""", now = DateTimeOffset.UnixEpoch,
            });
    }

    private static async Task<List<(string ParticipantId, string Point, DateOnly WindowEnd)>> OpenAsync(DbConnection connection, EvaluationFixture fixture, MeasurementPlan plan)
    {
        await OpenFollowUps.RefreshAsync(connection, fixture.Connections.Dialect, EvaluationFixture.ContractId, "test-bundle", plan, "exitDate", CancellationToken.None);
        return (await connection.QueryAsync<(string, string, DateOnly)>(
            "SELECT participant_id, point, window_end FROM report_open_follow_ups WHERE contract_id = @ContractId ORDER BY participant_id, point",
            new { EvaluationFixture.ContractId })).AsList();
    }

    private static async Task<List<(string ProviderId, string Outcome, string Status, int Count)>> CountsAsync(DbConnection connection) =>
        (await connection.QueryAsync<(string, string, string, int)>(
            "SELECT provider_id, outcome, status, decisions FROM report_outcome_counts WHERE decisions > 0 ORDER BY provider_id, outcome, status")).AsList();

    private static async Task<List<(string ProviderId, string Outcome, string Status, int Count)>> CurrentDecisionCountsAsync(DbConnection connection) =>
        (await connection.QueryAsync<(string, string, string, int)>(
            """
            SELECT provider_id, outcome, status, COUNT(*) FROM decisions WHERE superseded_by IS NULL AND participant_id IS NOT NULL
            GROUP BY provider_id, outcome, status ORDER BY provider_id, outcome, status
            """)).AsList();

    /// <summary>The report for a commissioner and a provider on several dates, against counting the rows themselves.</summary>
    private static async Task AssertReportsMatchRowsAsync(EvaluationFixture fixture, OutcomeReports reports)
    {
        foreach (var caller in new[] { Commissioner, ProviderA })
        {
            foreach (var asOf in ReportDates)
            {
                var report = (await reports.ReportAsync(caller, EvaluationFixture.ContractId, asOf))!;
                var (outcomes, overdue) = await CountRowsAsync(fixture, caller, asOf);
                Assert.Equal(outcomes, report.Outcomes.Select(o => (o.Workflow, o.Outcome, o.ProviderId, o.Achieved, o.NotAchieved, o.NotEvaluable, o.Error)).ToList());
                Assert.Equal(overdue, report.Overdue.Select(o => (o.ProviderId, o.Point, o.Overdue)).ToList());
            }
        }
    }

    /// <summary>What the report counts, from the decisions, participants and measurements read whole, as before 0010.</summary>
    private static async Task<(List<(string, string, string?, int, int, int, int)> Outcomes, List<(string, string, int)> Overdue)> CountRowsAsync(
        EvaluationFixture fixture, Caller caller, DateOnly asOf)
    {
        bool Visible(string? provider) => !caller.IsProvider || provider == caller.OrganisationId;
        await using var connection = await fixture.Connections.OpenAsync();
        var decisions = (await connection.QueryAsync<(string Workflow, string Outcome, string? ProviderId, string Status)>(
            "SELECT workflow, outcome, provider_id, status FROM decisions WHERE superseded_by IS NULL AND participant_id IS NOT NULL")).Where(d => Visible(d.ProviderId));
        var outcomes = decisions.GroupBy(d => (d.Workflow, d.Outcome, d.ProviderId))
            .Select(g => (g.Key.Workflow, g.Key.Outcome, g.Key.ProviderId, g.Count(d => d.Status == "Achieved"), g.Count(d => d.Status == "NotAchieved"),
                g.Count(d => d.Status == "NotEvaluable"), g.Count(d => d.Status == "Error")))
            .OrderBy(o => o.Outcome, StringComparer.Ordinal).ThenBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Workflow, StringComparer.Ordinal).ToList();

        var participants = (await connection.QueryAsync<(string Id, string ProviderId, DateOnly Enrolled)>("SELECT id, provider_id, enrolment_date FROM participants"))
            .Where(p => Visible(p.ProviderId));
        var measured = (await connection.QueryAsync<(string, string)>("SELECT participant_id, point FROM measurements")).ToHashSet();
        var overdue = participants
            .SelectMany(p => fixture.Template.MeasurementPlan.Points.Where(point => !measured.Contains((p.Id, point.Id)) && point.IsOverdue(p.Enrolled, asOf)).Select(point => (p.ProviderId, point.Id)))
            .GroupBy(o => o).Select(g => (g.Key.ProviderId, g.Key.Id, g.Count()))
            .OrderBy(o => o.ProviderId, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        return (outcomes, overdue);
    }
}

public sealed class SqliteOutcomeReportAggregateTests : OutcomeReportAggregateTests<Sqlite>;

public sealed class PostgreSqlOutcomeReportAggregateTests : OutcomeReportAggregateTests<PostgreSql>;

public sealed class SqlServerOutcomeReportAggregateTests : OutcomeReportAggregateTests<SqlServer>;
