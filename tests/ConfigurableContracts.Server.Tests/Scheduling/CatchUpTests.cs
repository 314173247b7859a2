using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Evaluations;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Tests.Evaluations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>Start-up catch-up through the whole server, on a SQLite database that existed before it started.</summary>
public sealed class CatchUpTests : IDisposable
{
    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"cc_catchup_{Guid.NewGuid():N}.db");

    private string ConnectionString => $"Data Source={_databaseFile};Pooling=false";

    public void Dispose()
    {
        File.Delete(_databaseFile);
        File.Delete(_databaseFile + "-wal");
        File.Delete(_databaseFile + "-shm");
    }

    [Fact]
    public async Task Startup_RunsTheMissedNightOnce_AndNotAgainOnTheNextStart()
    {
        await SeedBeforeStartAsync("c-missed");
        var expected = NightlySchedule.LastAtOrBefore(
            NightlySchedule.Parse("0 0 2 * * ?", TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")), DateTimeOffset.UtcNow);

        var first = await RunsAfterStartAsync(catchUp: true);
        var second = await RunsAfterStartAsync(catchUp: true);

        var run = Assert.Single(first);
        Assert.Equal(RunTrigger.CatchUp, run.Trigger);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(expected, run.ScheduledFor);
        Assert.Equal(run.Id, Assert.Single(second).Id);
    }

    [Fact]
    public async Task Startup_RunsNothing_WhenCatchUpIsOff()
    {
        await SeedBeforeStartAsync("c-missed");

        var runs = await RunsAfterStartAsync(catchUp: false);

        Assert.Empty(runs);
    }

    private async Task SeedBeforeStartAsync(string contractId)
    {
        DapperTypeHandlers.Register();
        var connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = ConnectionString }));
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await EvaluationEndpointsTests.SeedContractAsync(new ServiceCollection().AddSingleton(connections).BuildServiceProvider(), contractId, participants: 2);
    }

    // Runs are read from the database: the second start finds a key already there and bootstraps none.
    private async Task<List<EvaluationRun>> RunsAfterStartAsync(bool catchUp)
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = ConnectionString,
            ["Scheduler:CatchUpOnStart"] = catchUp ? "true" : "false",
        });
        factory.CreateClient().Dispose();
        var runs = factory.Services.GetRequiredService<EvaluationRunStore>();
        for (var i = 0; i < 100; i++)
        {
            var (items, _) = await runs.ListAsync(new RunQuery("c-missed"));
            if (items.Count > 0 && items.All(r => !r.IsActive))
            {
                return [.. items];
            }

            await Task.Delay(100);
        }

        return [];
    }
}
