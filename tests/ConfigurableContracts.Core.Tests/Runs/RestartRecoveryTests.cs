using System.Diagnostics;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConfigurableContracts.Core.Tests.Runs;

/// <summary>
/// A restarted instance resumes its own interrupted run at once — its earlier process on this host is gone, or the run
/// holds this instance's configured id and ran in an earlier process elsewhere — while a run whose holder may be alive
/// is never taken before its lease lapses. The fake clock never moves: a run resumed "at once" finishes at the instant
/// it was asked for, where waiting out the lease would hang on the clock.
/// </summary>
public abstract class RestartRecoveryTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly DateTimeOffset Night = new(2026, 3, 29, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Restart = Night.AddSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [StoreFact]
    public async Task Restart_ResumesItsRunAtOnce_WhenTheHoldingProcessOnThisHostIsGone()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        using var killed = LiveProcess.Start();
        var holder = killed.Holder;
        killed.Kill();
        await HeldRunAsync(connections, "node-a", holder);
        var evaluation = new ParticipantCountingEvaluation(connections);

        var run = await Runner(connections, evaluation).RunAsync(Resume, "node-a", CancellationToken.None).WaitAsync(Patience);

        Assert.True(RunHolder.IsProvablyDead(holder));
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(Restart, run.FinishedAt); // not after the lease, Night + 2 min
        Assert.Equal(RunHolder.Current, run.HolderProcess);
    }

    [StoreFact]
    public async Task Restart_ResumesItsRunAtOnce_WhenTheRunHoldsItsConfiguredIdFromAnEarlierProcessOnAnotherHost()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await HeldRunAsync(connections, "node-a", RunHolder.Describe("container-before-restart", 1, "boot:123"));
        var evaluation = new ParticipantCountingEvaluation(connections);

        var run = await Runner(connections, evaluation, configuredId: "node-a").RunAsync(Resume, "node-a", CancellationToken.None).WaitAsync(Patience);

        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(Restart, run.FinishedAt);
    }

    [StoreFact]
    public async Task LiveInstances_DoNotOverlap_WhileTheHolderMayBeAlive()
    {
        using var alive = LiveProcess.Start();
        var evaluation = new CountingEvaluation();

        // Held by a live process on this host (under the very id this instance was configured with), by this process,
        // and by a process on another host under another instance's id: each holder may be working on it right now.
        var cases = new (string Holder, string HeldBy, string Asker, string? Configured)[]
        {
            (alive.Holder, "node-a", "node-a", "node-a"),
            (alive.Holder, "node-a", "node-b", null),
            (RunHolder.Current, "node-a", "node-b", null),
            (RunHolder.Describe("another-host", 4242, "boot:1"), "node-a", "node-b", "node-b"),
            (RunHolder.Describe("another-host", 4242, "boot:1"), "node-a", "node-a", null),
        };
        foreach (var (holder, heldBy, asker, configured) in cases)
        {
            var (database, connections) = await CreateMigratedAsync();
            await using var _ = database;
            var store = new EvaluationRunStore(connections);
            await HeldRunAsync(connections, heldBy, holder);

            var answer = await Runner(connections, evaluation, configuredId: configured, maxRetries: 0).RunAsync(Resume, asker, CancellationToken.None).WaitAsync(Patience);
            var run = await store.GetAsync("r-1");

            Assert.Null(answer);
            Assert.Equal(RunStatus.Running, run!.Status);
            Assert.Equal(1, run.Attempt);
            Assert.Equal(heldBy, run.InstanceId);
            Assert.Equal(holder, run.HolderProcess);
        }

        Assert.Equal(0, evaluation.Calls);
    }

    [StoreFact]
    public async Task TakeOver_IsWonByOneInstance_WhenTwoSawTheSameGoneHolder()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var store = new EvaluationRunStore(connections);
        var gone = RunHolder.Describe(Environment.MachineName, 1, "not-this-boot:0");
        await HeldRunAsync(connections, "node-a", gone);

        var first = await store.TryTakeOverAsync("r-1", "node-b", "node-a", gone, Restart, Restart.AddMinutes(2), holderProcess: "b|1|x");
        var second = await store.TryTakeOverAsync("r-1", "node-c", "node-a", gone, Restart, Restart.AddMinutes(2), holderProcess: "c|1|x");
        var run = await store.GetAsync("r-1");

        Assert.True(first);
        Assert.False(second);
        Assert.Equal("node-b", run!.InstanceId);
        Assert.Equal("b|1|x", run.HolderProcess);
        Assert.Equal(2, run.Attempt);
    }

    private static RunRequest Resume => new("c-1", RunTrigger.Schedule, Night, "r-1");

    /// <summary>Run r-1 of contract c-1, claimed at <see cref="Night"/> by <paramref name="instanceId"/> in <paramref name="holder"/>, its lease live until Night + 2 min.</summary>
    private static async Task HeldRunAsync(DbConnectionFactory connections, string instanceId, string holder)
    {
        var store = new EvaluationRunStore(connections);
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 3);
        Assert.True(await store.TryInsertAsync(new EvaluationRun
        {
            Id = "r-1", ContractId = "c-1", Trigger = RunTrigger.Schedule, Status = RunStatus.Queued, ScheduledFor = Night, CreatedAt = Night,
        }));
        Assert.True(await store.TryClaimAsync("r-1", instanceId, Night, Night.AddMinutes(2), holderProcess: holder));
    }

    private static EvaluationRunner Runner(DbConnectionFactory connections, IContractEvaluation evaluation, string? configuredId = null, int maxRetries = 2) =>
        new(new EvaluationRunStore(connections), evaluation,
            Options.Create(new SchedulerOptions { MaxRetries = maxRetries, InstanceId = configuredId, LeaseDuration = TimeSpan.FromMinutes(2) }),
            new FakeTimeProvider(Restart), NullLogger<EvaluationRunner>.Instance);

    /// <summary>Counts the evaluations it was asked for; none should be.</summary>
    private sealed class CountingEvaluation : IContractEvaluation
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new EvaluationOutcome(0, new Dictionary<string, long>()));
        }
    }

    /// <summary>A real process on this host (<c>sleep</c>), described as a run holder, killed on demand.</summary>
    private sealed class LiveProcess : IDisposable
    {
        private readonly Process _process;

        private LiveProcess(Process process, string holder)
        {
            _process = process;
            Holder = holder;
        }

        public string Holder { get; }

        public static LiveProcess Start()
        {
            var process = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
            var start = RunHolder.StartOf(process.Id) ?? throw new InvalidOperationException($"Could not read the start of process {process.Id}.");
            return new LiveProcess(process, RunHolder.Describe(Environment.MachineName, process.Id, start));
        }

        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }
    }
}

public sealed class SqliteRestartRecoveryTests : RestartRecoveryTests<Sqlite>;

public sealed class PostgreSqlRestartRecoveryTests : RestartRecoveryTests<PostgreSql>;
