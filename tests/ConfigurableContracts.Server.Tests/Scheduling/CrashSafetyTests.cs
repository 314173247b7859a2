using System.Diagnostics;
using System.Globalization;
using ConfigurableContracts.Core.Runs;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// Crash safety of the nightly run, tested rather than assumed: the real server process is SIGKILLed at seeded
/// random points of one nightly run over thousands of participants and started again straight away, as a service
/// manager would, until the run has finished. What it leaves — decisions, ledger entries, input snapshots, the run
/// record — must equal, row for row, what one uninterrupted run over the same data left in a second database:
/// nothing lost, nothing written twice, and the run ends succeeded rather than stuck.
/// </summary>
/// <remarks>
/// Both databases evaluate the same night: the contract's cron fired last on 2022-12-31 (see
/// <see cref="NightlyRunDatabase.Cron"/>), so start-up catch-up runs it as of that date whatever the real clock says.
/// </remarks>
[Collection(KilledProcesses.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Participants = 3000;
    private const int DataSeed = 20211001;
    private const int TimedKills = 6;

    /// <summary>How many kills must hit the run while it is going, in one round.</summary>
    private const int MidRunKills = 5;

    /// <summary>Rounds on a fresh database before too few kills landing fails the test.</summary>
    private const int Rounds = 3;

    /// <summary>Fifteen batches: enough commit points for kills to land before, inside and between them.</summary>
    private const int BatchSize = Participants / 15;

    /// <summary>The seed of the kill points; <c>CRASH_SAFETY_SEED</c> replays or explores another.</summary>
    private static readonly int KillSeed =
        int.TryParse(Environment.GetEnvironmentVariable("CRASH_SAFETY_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 5;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120); // generous: only a stuck run waits it out

    [Fact]
    public Task NightlyRun_KilledAtRandomPoints_EndsWithTheDecisionsAndLedgerOfAnUninterruptedRun_OnSqlite() =>
        KillRestartAndCompareAsync(NightlyRunDatabase.CreateSqliteAsync);

    [PostgreSqlFact]
    public Task NightlyRun_KilledAtRandomPoints_EndsWithTheDecisionsAndLedgerOfAnUninterruptedRun_OnPostgreSql() =>
        KillRestartAndCompareAsync(NightlyRunDatabase.CreatePostgreSqlAsync);

    private async Task KillRestartAndCompareAsync(Func<Task<NightlyRunDatabase>> create)
    {
        var clock = Stopwatch.StartNew();
        var servers = new List<(string Name, ServerProcess Server)>();
        var passed = false;
        await using var reference = await create();
        try
        {
            await reference.SeedAsync(Participants, DataSeed);
            output.WriteLine($"{reference.Provider}: seeded {Participants} participants in {clock.Elapsed.TotalSeconds:F1} s; kill seed {KillSeed}");

            var referenceRun = await RunUninterruptedAsync(reference, servers);
            var expected = await reference.RowsAsync();
            var runTime = referenceRun.FinishedAt!.Value - referenceRun.StartedAt!.Value;
            output.WriteLine($"reference: {expected.Decisions.Count} decisions, {expected.Ledger.Count} ledger entries, {expected.Inputs.Count} snapshots in {runTime.TotalSeconds:F1} s");

            // The scenario is worth running only if the run writes both kinds of rows and the caps bite part-way.
            Assert.Contains(expected.Ledger, l => l.CapNote is not null);
            Assert.Contains(expected.Ledger, l => l.CapNote is null && l.Amount > 0);
            AssertFinished(referenceRun, attempts: 1);

            for (var round = 1; ; round++)
            {
                await using var crashed = await create();
                await crashed.SeedAsync(Participants, DataSeed);
                // Kills are timed from this process; a full collection here now is one that cannot pause it later.
                GC.Collect();
                GC.WaitForPendingFinalizers();

                var kills = await KillUntilDoneAsync(crashed, servers, expected.Decisions.Count(d => d.ParticipantId is not null), runTime, round);
                var crashedRun = Assert.Single(await crashed.RunsAsync());
                var actual = await crashed.RowsAsync();
                var midRun = kills.Count(k => k.MidRun);
                output.WriteLine($"round {round}, after {kills.Count} kills: {actual.Decisions.Count} decisions, {actual.Ledger.Count} ledger entries, {actual.Inputs.Count} snapshots; test took {clock.Elapsed.TotalSeconds:F1} s");

                // Every round must leave what the uninterrupted run left, however many of its kills landed.
                AssertFinished(crashedRun, attempts: midRun + 1);
                AssertSameRows("decision", expected.Decisions, actual.Decisions);
                AssertSameRows("ledger entry", expected.Ledger, actual.Ledger);
                AssertSameRows("input snapshot", expected.Inputs, actual.Inputs);
                AssertKeysHold(actual);
                if (midRun >= MidRunKills)
                {
                    break;
                }

                // A run that finished before its kill means this process looked too late (a pause of the test host),
                // not that the server did anything wrong: the round is run again on a fresh database.
                Assert.True(round < Rounds, $"Only {midRun} kills hit the run while it was going in round {round}, the last of {Rounds} (each fell short).");
                output.WriteLine($"round {round}: only {midRun} kills hit the run while it was going; again on a fresh database");
            }

            passed = true;
        }
        finally
        {
            foreach (var (name, server) in servers)
            {
                server.Dispose();
                if (!passed)
                {
                    output.WriteLine($"---- {name} output ----{Environment.NewLine}{server.Output}");
                }
            }
        }
    }

    private static async Task<EvaluationRun> RunUninterruptedAsync(NightlyRunDatabase database, List<(string, ServerProcess)> servers)
    {
        var server = Start(database, servers, "reference", 0);
        await server.WaitUntilHealthyAsync(StartTimeout);
        var run = await WaitForRunAsync(database, server, r => r.Status is RunStatus.Succeeded or RunStatus.Failed, RunTimeout, "finish");
        server.Kill();
        return run;
    }

    /// <summary>
    /// Starts the server, lets it claim the run, kills it after a seeded random time, and again, then once more the
    /// moment the last participant batch is committed (while the cohort is evaluated), then lets a last start finish
    /// the run. A kill comes a random share into the attempt (<see cref="KillAim"/>), so kills land while a batch is
    /// evaluated, while it is written, between batches, and while already decided participants are re-read.
    /// </summary>
    private async Task<List<KillPoint>> KillUntilDoneAsync(
        NightlyRunDatabase database, List<(string, ServerProcess)> servers, int participantDecisions, TimeSpan runTime, int round)
    {
        var random = new Random(KillSeed);
        var shares = Enumerable.Range(0, TimedKills).Select(_ => 0.05 + (0.75 * random.NextDouble())).Append(double.PositiveInfinity).ToList();
        var kills = new List<KillPoint>();
        var attempt = 0;
        DateTimeOffset? leaseAtKill = null;
        foreach (var share in shares)
        {
            var server = Start(database, servers, $"round {round} crash {kills.Count + 1}", kills.Count);
            // No wait for /health: the start-up catch-up claims the run before the server answers, and a quick run
            // could be over by then. The claim is watched for from the moment the process starts.
            var live = leaseAtKill > DateTimeOffset.UtcNow;
            var claimed = await WaitForRunAsync(database, server, r => r.Attempt > attempt || !r.IsActive, RunTimeout, $"resume after kill {kills.Count}");
            if (!claimed.IsActive)
            {
                break;
            }

            var sinceClaim = Stopwatch.StartNew();
            attempt = claimed.Attempt;
            var before = await database.DecisionCountAsync();
            var (wait, written) = KillAim(share, participantDecisions, before, runTime);
            while (sinceClaim.Elapsed < wait && await database.DecisionCountAsync() < written)
            {
                await Task.Delay(20);
            }

            server.Kill();
            var run = (await database.RunsAsync())[0];
            leaseAtKill = run.LeaseExpiresAt;
            var point = new KillPoint(attempt, live, sinceClaim.Elapsed, before, await database.DecisionCountAsync(), run.IsActive);
            kills.Add(point);
            output.WriteLine(
                $"kill {kills.Count}: attempt {point.Attempt} (killed holder's lease still live when this process started: {live}), {point.AfterClaim.TotalMilliseconds:F0} ms after the claim"
                + $" (aim: {(double.IsInfinity(share) ? "last participant batch committed" : $"{wait.TotalMilliseconds:F0} ms or {written} decisions")}); decisions {point.DecisionsBefore} -> {point.DecisionsAtKill}; run {RunNames.Of(run.Status)}");
            if (!point.MidRun)
            {
                break;
            }
        }

        var last = Start(database, servers, $"round {round} final", kills.Count);
        await last.WaitUntilHealthyAsync(StartTimeout);
        await WaitForRunAsync(database, last, r => !r.IsActive, RunTimeout, $"finish after kill {kills.Count}");
        last.Kill();
        return kills;
    }

    /// <summary>
    /// When a timed kill comes: after a time or once a count of participant decisions is written, whichever is first.
    /// Re-reading decided participants costs part of what deciding them did, so an attempt lasts at least half the
    /// reference run's share of it plus the share of what is left to write; the kill comes a random share into that.
    /// The count stops it at that share of what is left but for two batches, so an attempt quicker than the
    /// reference is still killed with a batch or two to go rather than after finishing (one batch can commit while
    /// the count is read and the process killed). With two batches or less left, the attempt is killed in its
    /// first moments, while it re-reads the participants already decided.
    /// </summary>
    private static (TimeSpan Wait, int Written) KillAim(double share, int participantDecisions, int before, TimeSpan runTime)
    {
        if (double.IsInfinity(share))
        {
            return (RunTimeout, participantDecisions);
        }

        var margin = 2 * participantDecisions * BatchSize / Participants;
        var remaining = participantDecisions - before;
        if (remaining <= margin)
        {
            return (TimeSpan.FromMilliseconds(50 * share), participantDecisions);
        }

        var left = remaining / (double)participantDecisions;
        return (runTime * (share * (0.5 + (0.5 * left))), before + Math.Max(1, (int)(share * (remaining - margin))));
    }

    /// <summary>
    /// Starts a server on <paramref name="database"/>. Runs are held under a short lease, which has lapsed by the time
    /// the next process is up, except by the second start: its lease, like production's two minutes, outlasts a
    /// restart, so the start after it finds the killed process's lease still live and has to wait it out.
    /// </summary>
    private static ServerProcess Start(NightlyRunDatabase database, List<(string, ServerProcess)> servers, string name, int index)
    {
        var settings = database.ServerSettings;
        settings["Scheduler__ProgressInterval"] = "00:00:01";
        settings["Scheduler__BatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture);
        // One core for the server, so this process's watcher is not starved of CPU and late with a kill.
        settings["DOTNET_PROCESSOR_COUNT"] = "1";
        settings["Scheduler__LeaseDuration"] = index == 1 ? "00:00:15" : "00:00:02";
        settings["Scheduler__RetryBackoff"] = "00:00:01";
        settings["Scheduler__ClusterCheckinInterval"] = "00:00:01";
        settings["Scheduler__ClusterCheckinMisfireThreshold"] = "00:00:03";
        var server = ServerProcess.Start(settings);
        servers.Add((name, server));
        return server;
    }

    /// <summary>The contract's one run once it matches; a run stuck (or never created) fails the test with its state.</summary>
    private static async Task<EvaluationRun> WaitForRunAsync(NightlyRunDatabase database, ServerProcess server, Func<EvaluationRun, bool> match, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        IReadOnlyList<EvaluationRun> runs = [];
        while (deadline.Elapsed < timeout && !server.HasExited)
        {
            runs = await database.RunsAsync();
            if (runs.Count == 1 && match(runs[0]))
            {
                return runs[0];
            }

            await Task.Delay(10);
        }

        var state = string.Join("; ", runs.Select(r =>
            $"{r.Id} {RunNames.Of(r.Trigger)} {RunNames.Of(r.Status)} attempt {r.Attempt} on {r.InstanceId}, lease until {r.LeaseExpiresAt:O}, {r.ParticipantsDone}/{r.ParticipantsTotal}, error '{r.Error}'"));
        throw new TimeoutException($"The run did not {what} within {timeout} (server exited: {server.HasExited}); runs: [{state}] at {DateTimeOffset.UtcNow:O}.");
    }

    private static void AssertFinished(EvaluationRun run, int attempts)
    {
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(RunTrigger.CatchUp, run.Trigger);
        Assert.Equal(NightlyRunDatabase.Night, run.ScheduledFor);
        Assert.Equal(attempts, run.Attempt);
        Assert.Null(run.LeaseExpiresAt);
        Assert.Equal(Participants, run.ParticipantsDone);
        Assert.Null(run.Error);
    }

    private static void AssertSameRows<T>(string what, List<T> expected, List<T> actual)
    {
        var lost = expected.Except(actual).ToList();
        var added = actual.Except(expected).ToList();
        var twice = actual.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(
            lost.Count == 0 && added.Count == 0 && twice.Count == 0 && expected.Count == actual.Count,
            $"{what} rows: {expected.Count} expected, {actual.Count} found; {lost.Count} lost, {added.Count} not in the reference, {twice.Count} twice."
            + $"{Environment.NewLine}lost: {string.Join(Environment.NewLine, lost.Take(3))}"
            + $"{Environment.NewLine}not in the reference: {string.Join(Environment.NewLine, added.Take(3))}");
    }

    /// <summary>What no key in the schema enforces but a crash must not break either.</summary>
    private static void AssertKeysHold(NightlyRunRows rows)
    {
        Assert.Empty(rows.Decisions.Where(d => d.SupersededBy is null)
            .GroupBy(d => (d.ParticipantId, d.ProviderId, d.Workflow, d.Outcome)).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(rows.Decisions.GroupBy(d => d.Sequence).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(rows.Ledger.GroupBy(l => l.Sequence).Where(g => g.Count() > 1).Select(g => g.Key));
        var corrected = rows.Ledger.Select(l => l.CorrectsEntryId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.Empty(rows.Ledger.Where(l => l.EntryType == "charge" && !corrected.Contains(l.Id))
            .GroupBy(l => (l.ParticipantId, l.Kind)).Where(g => g.Count() > 1).Select(g => g.Key));
        var decisions = rows.Decisions.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(rows.Ledger, l => !decisions.Contains(l.DecisionId));
    }

    /// <summary>Where one kill landed: how long after the run was claimed, and how many decisions stood before and at it.</summary>
    private sealed record KillPoint(int Attempt, bool LeaseLiveAtRestart, TimeSpan AfterClaim, int DecisionsBefore, int DecisionsAtKill, bool MidRun);
}
