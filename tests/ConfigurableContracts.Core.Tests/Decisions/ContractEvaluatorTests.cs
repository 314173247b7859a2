using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Decisions;

public abstract class ContractEvaluatorTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly DateOnly June = new(2022, 6, 1);

    private static readonly string[] Rules = ["Improved", "ActivityPayment", "OutcomePayment"];

    private static async Task<EvaluationFixture> FixtureAsync(string? caps = null)
    {
        var (database, connections) = await CreateMigratedAsync();
        return caps is null ? await EvaluationFixture.CreateAsync(database, connections) : await EvaluationFixture.CreateAsync(database, connections, caps);
    }

    [StoreFact]
    public async Task Evaluate_DecidesEveryRule_AndChargesAchievedPayments()
    {
        await using var fixture = await FixtureAsync();
        var id = await fixture.EnrolAsync("HV-0001", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(id, "baseline", 20);
        await fixture.MeasureAsync(id, "followUp", 12);

        var summary = await fixture.EvaluateAsync(June);

        var decisions = await fixture.DecisionsAsync();
        Assert.Equal(["Improved", "ActivityPayment", "OutcomePayment"], decisions.Where(d => d.ParticipantId == id).Select(d => d.Outcome));
        Assert.All(decisions.Where(d => d.ParticipantId == id), d => Assert.Equal("Achieved", d.Status));
        var ledger = await fixture.LedgerAsync();
        Assert.Equal([("activity", "charge", 1000m, 1000m, "2022-06", (string?)null), ("outcome", "charge", 2500.50m, 2500.50m, "2022-06", null)], ledger);
        Assert.Equal(1, summary.Participants);
        Assert.Equal(2, summary.LedgerEntriesWritten);
    }

    [StoreFact]
    public async Task Evaluate_ReportsNotEvaluable_AndChargesNothing_WhenFollowUpIsMissing()
    {
        await using var fixture = await FixtureAsync();
        var id = await fixture.EnrolAsync("HV-0001", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(id, "baseline", 20);

        await fixture.EvaluateAsync(June);

        var decisions = await fixture.DecisionsAsync();
        Assert.Equal("NotEvaluable", decisions.Single(d => d.Outcome == "Improved").Status);
        Assert.Equal("NotAchieved", decisions.Single(d => d.Outcome == "ActivityPayment").Status);
        Assert.Empty(await fixture.LedgerAsync());
    }

    [StoreFact]
    public async Task Evaluate_WritesNothing_WhenRunTwiceOnTheSameData()
    {
        await using var fixture = await FixtureAsync();
        var id = await fixture.EnrolAsync("HV-0001", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(id, "baseline", 20);
        await fixture.MeasureAsync(id, "followUp", 12);
        await fixture.EvaluateAsync(June);
        var decisions = await fixture.DecisionsAsync();
        var ledger = await fixture.LedgerAsync();

        var again = await fixture.EvaluateAsync(June.AddDays(1), "run-2");

        Assert.Equal(0, again.DecisionsWritten);
        Assert.Equal(0, again.LedgerEntriesWritten);
        Assert.Equal(decisions, await fixture.DecisionsAsync());
        Assert.Equal(ledger, await fixture.LedgerAsync());
    }

    [StoreFact]
    public async Task Evaluate_SupersedesDecision_AndReversesCharge_WhenAMeasurementIsCorrected()
    {
        await using var fixture = await FixtureAsync();
        var id = await fixture.EnrolAsync("HV-0001", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(id, "baseline", 20);
        await fixture.MeasureAsync(id, "followUp", 12);
        await fixture.EvaluateAsync(June);

        await fixture.MeasureAsync(id, "followUp", 25, version: 2);
        await fixture.EvaluateAsync(new DateOnly(2022, 7, 1), "run-2");

        var improved = (await fixture.DecisionsAsync()).Where(d => d.Outcome == "Improved").ToList();
        Assert.Equal(2, improved.Count);
        Assert.NotNull(improved[0].SupersededBy);
        Assert.Equal(("NotAchieved", (string?)null), (improved[1].Status, improved[1].SupersededBy));
        var ledger = await fixture.LedgerAsync();
        Assert.Contains(("outcome", "reversal", -2500.50m, -2500.50m, "2022-07", (string?)null), ledger);
        Assert.Equal(1000m, ledger.Sum(e => e.Amount));
    }

    [StoreFact]
    public async Task Evaluate_DecidesInParticipantOrder_AcrossBatches_EvenThoughParticipantsAreEvaluatedInParallel()
    {
        // Every participant earns 3500; the contract cap runs out in the middle of the second batch.
        var participants = (2 * SchedulerOptions.DefaultBatchSize) + 7;
        await using var fixture = await FixtureAsync("""{ "perProvider": 100000000, "perContract": 10000000 }""");
        await fixture.EnrolImprovedAsync(participants);

        var summary = await fixture.EvaluateAsync(June);

        await using var connection = await fixture.Connections.OpenAsync();
        var decisions = (await connection.QueryAsync<(long Sequence, string? ParticipantId, string Outcome)>(
            "SELECT sequence, participant_id, outcome FROM decisions ORDER BY sequence")).AsList();
        var participantDecisions = decisions.Where(d => d.ParticipantId is not null).ToList();
        Assert.Equal(participants, summary.Participants);
        Assert.Equal(3 * participants, participantDecisions.Count);
        Assert.Equal(Enumerable.Range(1, decisions.Count).Select(i => (long)i), decisions.Select(d => d.Sequence));
        Assert.Equal(
            Enumerable.Range(0, participants).SelectMany(i => Rules.Select(o => ($"p-HV-{i:D5}", o))),
            participantDecisions.Select(d => (d.ParticipantId!, d.Outcome)));
        var paid = (await connection.QueryAsync<(string ParticipantId, decimal Amount)>(
            "SELECT participant_id, amount FROM ledger_entries ORDER BY sequence")).AsList();
        Assert.Equal(10_000_000m, paid.Sum(e => e.Amount));
        // Paid in participant order: 2856 in full (10 000 000 / 3500.50), the next one up to the cap, the rest nothing.
        var byParticipant = paid.GroupBy(e => e.ParticipantId).Select(g => (Participant: g.Key, Paid: g.Sum(e => e.Amount))).ToList();
        Assert.Equal(Enumerable.Range(0, participants).Select(i => $"p-HV-{i:D5}"), byParticipant.Select(p => p.Participant));
        Assert.All(byParticipant.Take(2856), p => Assert.Equal(3500.50m, p.Paid));
        Assert.Equal(10_000_000m - (2856 * 3500.50m), byParticipant[2856].Paid);
        Assert.All(byParticipant.Skip(2857), p => Assert.Equal(0m, p.Paid));
    }

    [StoreFact]
    public async Task Evaluate_LosesAndDuplicatesNothing_WhenStoppedAfterABatchAndRunAgain()
    {
        var participants = (2 * SchedulerOptions.DefaultBatchSize) + 7;
        await using var fixture = await FixtureAsync("""{ "perProvider": 100000000, "perContract": 10000000 }""");
        await fixture.EnrolImprovedAsync(participants);
        using var stop = new CancellationTokenSource();
        var stopped = 0;

        // Stopped as soon as the first batch is committed: what a kill between two transactions leaves behind.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Evaluator.EvaluateAsync(
            EvaluationFixture.ContractId, "run-1", June, new Stop(p => { stopped = p.ParticipantsDone; stop.Cancel(); }), stop.Token));
        var afterStop = await CountsAsync(fixture);
        var retry = await fixture.EvaluateAsync(June, "run-1");

        Assert.InRange(stopped, SchedulerOptions.DefaultBatchSize, participants - 1);
        Assert.InRange(afterStop.Decisions, 3 * stopped, (3 * participants) - 1);
        var (decisions, distinctKeys, ledger, ledgerTotal) = await CountsAsync(fixture);
        Assert.Equal((3 * participants) + 3, decisions); // and the cohort: the contract and each provider
        Assert.Equal(decisions, distinctKeys);
        Assert.Equal(decisions - afterStop.Decisions, retry.DecisionsWritten);
        Assert.Equal(afterStop.Ledger + retry.LedgerEntriesWritten, ledger);
        Assert.Equal(10_000_000m, ledgerTotal);
    }

    private static async Task<(int Decisions, int DistinctKeys, int Ledger, decimal LedgerTotal)> CountsAsync(EvaluationFixture fixture)
    {
        await using var connection = await fixture.Connections.OpenAsync();
        var decisions = await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM decisions");
        var keys = await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM (SELECT DISTINCT COALESCE(participant_id, ''), COALESCE(provider_id, ''), workflow, outcome FROM decisions) k");
        var amounts = (await connection.QueryAsync<decimal>("SELECT amount FROM ledger_entries")).AsList();
        return (decisions, keys, amounts.Count, amounts.Sum());
    }

    /// <summary>Reports on the writer's thread, as the runner's progress writer does (no posting, no reordering).</summary>
    private sealed class Stop(Action<EvaluationProgress> report) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => report(value);
    }

    [StoreFact]
    public async Task Evaluate_CapsProviderPayments_InTheManifestsOrder()
    {
        await using var fixture = await FixtureAsync("""{ "perProvider": 4000, "perContract": 4500 }""");
        foreach (var (pseudonym, provider) in new[] { ("HV-0001", EvaluationFixture.ProviderA), ("HV-0002", EvaluationFixture.ProviderA), ("HV-0003", EvaluationFixture.ProviderB) })
        {
            var id = await fixture.EnrolAsync(pseudonym, provider);
            await fixture.MeasureAsync(id, "baseline", 20);
            await fixture.MeasureAsync(id, "followUp", 10);
        }

        await fixture.EvaluateAsync(June);

        var ledger = await fixture.LedgerAsync();
        Assert.Equal(4500m, ledger.Sum(e => e.Amount));
        Assert.Contains(ledger, e => e.CapNote?.StartsWith("perProvider cap 4000 reached", StringComparison.Ordinal) == true);
        Assert.Contains(ledger, e => e.CapNote?.StartsWith("perContract cap 4500 reached", StringComparison.Ordinal) == true);
        Assert.All(ledger, e => Assert.True(e.Amount >= 0));
    }

    [StoreFact]
    public async Task Evaluate_DecidesCohortTarget_ForContractAndEachProvider_LeavingOutExcludedExits()
    {
        await using var fixture = await FixtureAsync();
        async Task Participant(string pseudonym, string provider, int followUp, string? exit = null)
        {
            var id = await fixture.EnrolAsync(pseudonym, provider, exit);
            await fixture.MeasureAsync(id, "baseline", 20);
            await fixture.MeasureAsync(id, "followUp", followUp);
        }

        await Participant("HV-0001", EvaluationFixture.ProviderA, 10);
        await Participant("HV-0002", EvaluationFixture.ProviderA, 30);
        await Participant("HV-0003", EvaluationFixture.ProviderB, 30, exit: "moved");
        await Participant("HV-0004", EvaluationFixture.ProviderB, 10);

        await fixture.EvaluateAsync(June);

        var cohort = (await fixture.DecisionsAsync()).Where(d => d.ParticipantId is null).ToDictionary(d => d.ProviderId ?? "contract");
        Assert.Equal(("Achieved", "0.6666666666666666666666666667"), (cohort["contract"].Status, cohort["contract"].Output));
        Assert.Equal(("Achieved", "0.5"), (cohort[EvaluationFixture.ProviderA].Status, cohort[EvaluationFixture.ProviderA].Output));
        Assert.Equal(("Achieved", "1"), (cohort[EvaluationFixture.ProviderB].Status, cohort[EvaluationFixture.ProviderB].Output));
    }
}

public sealed class SqliteContractEvaluatorTests : ContractEvaluatorTests<Sqlite>;

public sealed class PostgreSqlContractEvaluatorTests : ContractEvaluatorTests<PostgreSql>;

public sealed class SqlServerContractEvaluatorTests : ContractEvaluatorTests<SqlServer>;
