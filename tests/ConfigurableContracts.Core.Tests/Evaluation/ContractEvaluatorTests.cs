using ConfigurableContracts.Core.Tests.Data;

namespace ConfigurableContracts.Core.Tests.Evaluation;

public abstract class ContractEvaluatorTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly DateOnly June = new(2022, 6, 1);

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
