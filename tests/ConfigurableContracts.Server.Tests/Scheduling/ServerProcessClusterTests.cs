using System.Globalization;
using ConfigurableContracts.Core.Runs;
using Dapper;
using Npgsql;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// The cluster for real: two server processes on one fresh PostgreSQL database. Each nightly trigger runs once
/// across both; the process running a contract is killed (SIGKILL, no chance to clean up) mid-run, and the other
/// one recovers that night's run and finishes it. The run is held open from outside, by a table lock the test
/// keeps on <c>participants</c>, so the server code under test is the production code unchanged.
/// </summary>
[Collection(KilledProcesses.Name)]
public sealed class ServerProcessClusterTests(ITestOutputHelper output)
{
    [PostgreSqlFact]
    public async Task KilledServer_RunIsRecoveredByTheOtherServer_AndEachNightRunsOnce()
    {
        await using var database = await ClusterDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        var firstNight = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(60);
        var secondNight = firstNight.AddSeconds(15);
        await database.SeedAsync("c-1", CronAt(firstNight));
        await database.SeedAsync("c-2", CronAt(firstNight));
        await database.SeedAsync("c-slow", CronAt(secondNight));
        var servers = new Dictionary<string, ServerProcess>
        {
            ["node-a"] = StartNode("node-a", database.ConnectionString),
            ["node-b"] = StartNode("node-b", database.ConnectionString),
        };
        try
        {
            await Task.WhenAll(servers.Values.Select(s => s.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90))));
            Assert.True(DateTimeOffset.UtcNow < firstNight.AddSeconds(-2), $"Start-up took until {DateTimeOffset.UtcNow:O}, past the planned first night {firstNight:O}.");
            var firstRuns = await database.WaitForRunsAsync(r => r.Status == RunStatus.Succeeded, 2, TimeSpan.FromSeconds(90));

            // Hold the second night's evaluation open: its first read of participants waits on this lock.
            await using var blocker = new NpgsqlConnection(database.ConnectionString);
            await blocker.OpenAsync();
            await using var hold = await blocker.BeginTransactionAsync();
            await blocker.ExecuteAsync("LOCK TABLE participants IN ACCESS EXCLUSIVE MODE", transaction: hold);
            var cutOff = Assert.Single(await database.WaitForRunsAsync(r => r.ContractId == "c-slow" && r.Status == RunStatus.Running, 1, TimeSpan.FromSeconds(60)));
            var holder = cutOff.InstanceId!;
            var survivor = holder == "node-a" ? "node-b" : "node-a";
            output.WriteLine($"c-slow is running on {holder}; killing it.");
            servers[holder].Kill();
            await hold.RollbackAsync();

            var recovered = await database.WaitForRunsAsync(r => r.ContractId == "c-slow" && r.Status == RunStatus.Succeeded, 1, TimeSpan.FromSeconds(120));
            var all = await database.AllRunsAsync();

            Assert.Equal(["c-1", "c-2"], firstRuns.Select(r => r.ContractId).Order());
            Assert.All(firstRuns, r => Assert.Equal(firstNight, r.ScheduledFor));
            Assert.Equal(3, all.Count);
            var slow = Assert.Single(recovered);
            Assert.Equal(cutOff.Id, slow.Id);
            Assert.Equal(secondNight, slow.ScheduledFor);
            Assert.Equal(RunTrigger.Schedule, slow.Trigger);
            Assert.Equal(survivor, slow.InstanceId);
            Assert.Equal(2, slow.Attempt);
        }
        finally
        {
            foreach (var (name, server) in servers)
            {
                server.Kill();
                output.WriteLine($"---- {name} output ----{Environment.NewLine}{server.Output}");
                server.Dispose();
            }
        }
    }

    private static string CronAt(DateTimeOffset instant) =>
        string.Create(CultureInfo.InvariantCulture, $"{instant.Second} {instant.Minute} {instant.Hour} * * ?");

    /// <summary>A cluster node: a server on the shared PostgreSQL database with short cluster and lease timings.</summary>
    private static ServerProcess StartNode(string instanceId, string connectionString) => ServerProcess.Start(new Dictionary<string, string>
    {
        ["Database__Provider"] = "PostgreSql",
        ["Database__ConnectionString"] = connectionString,
        ["Scheduler__InstanceId"] = instanceId,
        ["Scheduler__TimeZone"] = "UTC",
        ["Scheduler__CatchUpOnStart"] = "false",
        ["Scheduler__ClusterCheckinInterval"] = "00:00:01",
        ["Scheduler__ClusterCheckinMisfireThreshold"] = "00:00:03",
        ["Scheduler__ProgressInterval"] = "00:00:01",
        ["Scheduler__LeaseDuration"] = "00:00:05",
    });
}
