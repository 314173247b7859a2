using System.Diagnostics;
using ConfigurableContracts.Core.Runs;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// A server killed (SIGKILL) in the middle of a nightly run and started again on the same host resumes the run at
/// once, while the lease its killed process renewed is still live for minutes: the run records the process that held
/// it, and the restart sees that process is gone. Before, a single server waited the whole lease out.
/// </summary>
[Collection(KilledProcesses.Name)]
public sealed class RestartRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120); // well inside the lease

    [Fact]
    public async Task KilledServer_RestartedOnTheSameHost_ResumesItsRunAtOnce_WhileItsLeaseIsStillLive()
    {
        await using var database = await NightlyRunDatabase.CreateSqliteAsync();
        await database.SeedAsync(participants: 3000, seed: 20211001);
        var servers = new List<ServerProcess>();
        var passed = false;
        try
        {
            // The catch-up of the seeded night starts as the server starts; it is killed the moment it holds the run.
            var first = Start(database, servers);
            var claimed = await WaitForRunAsync(database, first, r => r.Attempt >= 1, "be claimed");
            first.Kill();
            var killed = Assert.Single(await database.RunsAsync());
            output.WriteLine($"killed holding run {killed.Id}: {RunNames.Of(killed.Status)}, attempt {killed.Attempt}, {killed.ParticipantsDone}/{killed.ParticipantsTotal}, lease until {killed.LeaseExpiresAt:O}, holder {killed.HolderProcess}");
            Assert.True(killed.IsActive, $"The run finished before it could be killed: {RunNames.Of(killed.Status)}.");
            Assert.Equal(claimed.Id, killed.Id);

            var second = Start(database, servers);
            var resumed = await WaitForRunAsync(database, second, r => r.Attempt > killed.Attempt, "be resumed");
            var resumedAt = DateTimeOffset.UtcNow;
            var finished = await WaitForRunAsync(database, second, r => !r.IsActive, "finish");
            output.WriteLine($"resumed at {resumedAt:O} by {resumed.HolderProcess}; finished {RunNames.Of(finished.Status)}, attempt {finished.Attempt}");

            Assert.True(resumedAt < killed.LeaseExpiresAt, $"Resumed at {resumedAt:O}, after the killed process's lease lapsed at {killed.LeaseExpiresAt:O}.");
            Assert.NotEqual(killed.HolderProcess, resumed.HolderProcess);
            Assert.Equal(RunStatus.Succeeded, finished.Status);
            Assert.Equal(killed.Attempt + 1, finished.Attempt);
            Assert.Equal(3000, finished.ParticipantsDone);
            passed = true;
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
                if (!passed)
                {
                    output.WriteLine($"---- server output ----{Environment.NewLine}{server.Output}");
                }
            }
        }
    }

    private static ServerProcess Start(NightlyRunDatabase database, List<ServerProcess> servers)
    {
        var settings = database.ServerSettings;
        settings["Scheduler__LeaseDuration"] = Lease.ToString();
        settings["Scheduler__ProgressInterval"] = "00:00:01";
        settings["Scheduler__BatchSize"] = "100";
        settings["DOTNET_PROCESSOR_COUNT"] = "1";
        var server = ServerProcess.Start(settings);
        servers.Add(server);
        return server;
    }

    private static async Task<EvaluationRun> WaitForRunAsync(NightlyRunDatabase database, ServerProcess server, Func<EvaluationRun, bool> match, string what)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<EvaluationRun> runs = [];
        while (clock.Elapsed < Patience && !server.HasExited)
        {
            runs = await database.RunsAsync();
            if (runs.Count == 1 && match(runs[0]))
            {
                return runs[0];
            }

            await Task.Delay(10);
        }

        var state = string.Join("; ", runs.Select(r => $"{r.Id} {RunNames.Of(r.Status)} attempt {r.Attempt}, lease until {r.LeaseExpiresAt:O}, holder {r.HolderProcess}"));
        throw new TimeoutException($"The run did not {what} within {Patience} (server exited: {server.HasExited}); runs: [{state}].");
    }
}
