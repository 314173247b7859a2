using System.Net.Http.Json;
using System.Text.Json;
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
        Assert.Equal("catch-up", run.GetProperty("trigger").GetString());
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(expected, run.GetProperty("scheduledFor").GetDateTimeOffset());
        Assert.Equal(run.GetProperty("id").GetString(), Assert.Single(second).GetProperty("id").GetString());
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

    private async Task<List<JsonElement>> RunsAfterStartAsync(bool catchUp)
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = ConnectionString,
            ["Scheduler:CatchUpOnStart"] = catchUp ? "true" : "false",
        });
        factory.CreateClient().Dispose();
        using var client = factory.ClientWithKey(factory.AdminKey);
        for (var i = 0; i < 100; i++)
        {
            var page = await client.GetFromJsonAsync<JsonElement>("/api/contracts/c-missed/evaluations");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            if (items.Count > 0 && items.All(r => r.GetProperty("status").GetString() is "succeeded" or "failed"))
            {
                return items;
            }

            await Task.Delay(100);
        }

        return [];
    }
}
