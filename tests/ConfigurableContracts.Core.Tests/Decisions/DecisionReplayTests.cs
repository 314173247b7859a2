using System.Globalization;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Decisions;

public abstract class DecisionReplayTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task Replay_ReproducesEveryDecision_ByteForByte_UnderAnotherCulture()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var fixture = await EvaluationFixture.CreateAsync(database, connections);
        var improved = await fixture.EnrolAsync("HV-0001", EvaluationFixture.ProviderA);
        await fixture.MeasureAsync(improved, "baseline", 20);
        await fixture.MeasureAsync(improved, "followUp", 12);
        var missing = await fixture.EnrolAsync("HV-0002", EvaluationFixture.ProviderB, exitReason: "moved");
        await fixture.MeasureAsync(missing, "baseline", 20);
        await fixture.EvaluateAsync(new DateOnly(2022, 6, 1));
        await using var connection = await connections.OpenAsync();
        var ids = (await connection.QueryAsync<string>("SELECT id FROM decisions")).ToList();

        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("sv-SE"); // decimal comma, other date order
        try
        {
            var replay = new DecisionReplay(connections, fixture.Bundles);
            foreach (var id in ids)
            {
                var result = await replay.ReplayAsync(id);
                Assert.NotNull(result);
                Assert.True(result.Identical, $"{result.Outcome}: stored {result.StoredResult} replayed {result.ReplayedResult}");
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        Assert.True(ids.Count >= 8);
    }

    [StoreFact]
    public async Task Replay_ReturnsNull_ForAnUnknownDecision()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var fixture = await EvaluationFixture.CreateAsync(database, connections);

        Assert.Null(await new DecisionReplay(connections, fixture.Bundles).ReplayAsync("no-such-decision"));
    }
}

public sealed class SqliteDecisionReplayTests : DecisionReplayTests<Sqlite>;

public sealed class PostgreSqlDecisionReplayTests : DecisionReplayTests<PostgreSql>;

public sealed class SqlServerDecisionReplayTests : DecisionReplayTests<SqlServer>;
