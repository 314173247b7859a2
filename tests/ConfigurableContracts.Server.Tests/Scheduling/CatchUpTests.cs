using System.Globalization;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>Start-up catch-up through the whole server, on a SQLite database that existed before it started.</summary>
public sealed class CatchUpTests : IDisposable
{
    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"cc_catchup_{Guid.NewGuid():N}.db");

    private string ConnectionString => $"Data Source={_databaseFile};Pooling=false";

    public void Dispose() => SqliteFiles.Delete(_databaseFile);

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

    [Fact]
    public async Task Startup_ResumesTheRunOfAProcessKilledMomentsBefore_WaitingOutItsStillLiveLease()
    {
        var store = new EvaluationRunStore(await SeedBeforeStartAsync("c-missed"));
        var killedAt = DateTimeOffset.UtcNow;
        await store.TryInsertAsync(new EvaluationRun
        {
            Id = "r-killed", ContractId = "c-missed", Trigger = RunTrigger.Manual, Status = RunStatus.Queued, ScheduledFor = killedAt, CreatedAt = killedAt,
        });

        // The killed process renewed its lease just before it died, under the instance id a restart has again; the
        // lease outlasts any start-up, as production's two minutes outlast a service manager's restart.
        await store.TryClaimAsync("r-killed", Environment.MachineName, killedAt, killedAt.AddMinutes(10));
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = ConnectionString,
            ["Scheduler:CatchUpOnStart"] = "false",
        });
        factory.CreateClient().Dispose();

        var waiting = await LogLineAsync(factory, "Contract c-missed is busy with run r-killed; trying again in ");
        var run = await store.GetAsync("r-killed");

        Assert.Contains(factory.LogMessages, m => m.StartsWith("Resuming evaluation run r-killed of contract c-missed, left running", StringComparison.Ordinal));
        Assert.True(TimeSpan.Parse(waiting.Split(" in ")[^1], CultureInfo.InvariantCulture) > TimeSpan.FromMinutes(8), waiting);
        Assert.Equal(RunStatus.Running, run!.Status); // not taken before the lease lapses
        Assert.Equal(1, run.Attempt);
    }

    private static async Task<string> LogLineAsync(ServerFactory factory, string start)
    {
        for (var i = 0; i < 300; i++)
        {
            if (factory.LogMessages.FirstOrDefault(m => m.StartsWith(start, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No log line starting '{start}' within 30 s:{Environment.NewLine}{string.Join(Environment.NewLine, factory.LogMessages)}");
    }

    private async Task<DbConnectionFactory> SeedBeforeStartAsync(string contractId)
    {
        DapperTypeHandlers.Register();
        var connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = ConnectionString }));
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await ContractSeeder.AddTinyContractAsync(connections, contractId, participants: 2);
        return connections;
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
