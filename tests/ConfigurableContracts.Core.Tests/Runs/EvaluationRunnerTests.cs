using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConfigurableContracts.Core.Tests.Runs;

public abstract class EvaluationRunnerTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly DateTimeOffset Night = new(2026, 3, 29, 0, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task Run_RecordsSucceededRun_WithParticipantCountsAndNoDecisions()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 25);
        var time = new FakeTimeProvider(Night.AddMinutes(1));
        var runner = Runner(connections, new ParticipantCountingEvaluation(connections), time);

        var run = await runner.RunAsync(new RunRequest("c-1", RunTrigger.Schedule, Night), "node-a", CancellationToken.None);

        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(RunTrigger.Schedule, run.Trigger);
        Assert.Equal(Night, run.ScheduledFor);
        Assert.Equal(Night.AddMinutes(1), run.StartedAt);
        Assert.Equal(Night.AddMinutes(1), run.FinishedAt);
        Assert.Equal(25, run.ParticipantsTotal);
        Assert.Equal(25, run.ParticipantsDone);
        Assert.Equal(0, run.Counts!["decisionsWritten"]);
        Assert.Equal("node-a", run.InstanceId);
        Assert.Equal(1, run.Attempt);
    }

    [StoreFact]
    public async Task Run_DoesNothing_WhenTheNightlyInstantAlreadyRan()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 3);
        var time = new FakeTimeProvider(Night);
        var runner = Runner(connections, new ParticipantCountingEvaluation(connections), time);

        var first = await runner.RunAsync(new RunRequest("c-1", RunTrigger.Schedule, Night), "node-a", CancellationToken.None);
        var again = await runner.RunAsync(new RunRequest("c-1", RunTrigger.Schedule, Night), "node-b", CancellationToken.None);
        var catchUp = await runner.RunAsync(new RunRequest("c-1", RunTrigger.CatchUp, Night), "node-b", CancellationToken.None);
        var (all, total) = await new EvaluationRunStore(connections).ListAsync(new RunQuery("c-1"));

        Assert.NotNull(first);
        Assert.Null(again);
        Assert.Null(catchUp);
        Assert.Equal(1, total);
        Assert.Equal(first.Id, Assert.Single(all).Id);
    }

    [StoreFact]
    public async Task Run_RetriesTransientFailures_WithDoublingBackoff_ThenSucceeds()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 2);
        var time = new FakeTimeProvider(Night);
        var evaluation = new FailingEvaluation(failures: 2, () => new TimeoutException("slow"));
        var log = new WaitableLog();
        var runner = Runner(connections, evaluation, time, maxRetries: 3, backoff: TimeSpan.FromSeconds(10), log);

        var running = runner.RunAsync(new RunRequest("c-1", RunTrigger.Manual, Night), "node-a", CancellationToken.None);
        await log.WaitForAsync("retry 1 of 3");
        var retrying = await new EvaluationRunStore(connections).ActiveAsync("c-1");
        time.Advance(TimeSpan.FromSeconds(10));
        await log.WaitForAsync("retry 2 of 3");
        time.Advance(TimeSpan.FromSeconds(20));
        var run = await running;

        Assert.Equal(RunStatus.Retrying, retrying!.Status);
        Assert.Equal("TimeoutException; retry 1 of 3 after 00:00:10.", retrying.Error);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        Assert.Equal(3, run.Attempt);
        Assert.Equal(3, evaluation.Attempts);
        Assert.Equal(Night.AddSeconds(30), run.FinishedAt);
        Assert.Null(run.Error);
    }

    [StoreFact]
    public async Task Run_FailsWithoutRetry_RecordingOnlyTheTypeName_WhenTheFailureIsNotTransient()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 2);
        var evaluation = new FailingEvaluation(failures: 5, () => new InvalidOperationException("participant HV-00001 has no baseline"));
        var runner = Runner(connections, evaluation, new FakeTimeProvider(Night));

        var run = await runner.RunAsync(new RunRequest("c-1", RunTrigger.Manual, Night), "node-a", CancellationToken.None);

        Assert.Equal(RunStatus.Failed, run!.Status);
        Assert.Equal("InvalidOperationException", run.Error);
        Assert.Equal(1, evaluation.Attempts);
    }

    [StoreFact]
    public async Task Run_KeepsTheMessage_OfAContractEvaluationException()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 2);
        var evaluation = new FailingEvaluation(failures: 1, () => new ContractEvaluationException("Template bundle abc is missing."));
        var runner = Runner(connections, evaluation, new FakeTimeProvider(Night));

        var run = await runner.RunAsync(new RunRequest("c-1", RunTrigger.Manual, Night), "node-a", CancellationToken.None);

        Assert.Equal("Template bundle abc is missing.", run!.Error);
    }

    [StoreFact]
    public async Task Run_TakesOverARecoveredRun_OnceTheDeadHoldersLeaseLapsed()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 4);
        var store = new EvaluationRunStore(connections);
        var time = new FakeTimeProvider(Night);
        var log = new WaitableLog();
        var runner = Runner(connections, new ParticipantCountingEvaluation(connections), time, log: log);
        await store.TryInsertAsync(new EvaluationRun
        {
            Id = "r-dead", ContractId = "c-1", Trigger = RunTrigger.Schedule, Status = RunStatus.Queued, ScheduledFor = Night, CreatedAt = Night,
        });
        await store.TryClaimAsync("r-dead", "node-dead", Night, Night.AddMinutes(2));

        var recovering = runner.RunAsync(new RunRequest("c-1", RunTrigger.Schedule, Night), "node-b", CancellationToken.None);
        await log.WaitForAsync("trying again in 00:02:00.1");
        time.Advance(TimeSpan.FromMinutes(2).Add(TimeSpan.FromMilliseconds(100)));
        var run = await recovering;

        Assert.Equal("r-dead", run!.Id);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("node-b", run.InstanceId);
        Assert.Equal(2, run.Attempt);
    }

    [StoreFact]
    public async Task Run_WritesProgressAndRenewsTheLease_EveryProgressInterval()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 0);
        var time = new FakeTimeProvider(Night);
        var evaluation = new HalfwayEvaluation();
        var runner = new EvaluationRunner(new EvaluationRunStore(connections), evaluation,
            Options.Create(new SchedulerOptions { ProgressInterval = TimeSpan.FromSeconds(2), LeaseDuration = TimeSpan.FromMinutes(1) }),
            time, NullLogger<EvaluationRunner>.Instance);

        var running = runner.RunAsync(new RunRequest("c-1", RunTrigger.Manual, Night), "node-a", CancellationToken.None);
        await evaluation.Halfway.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(2));
        var store = new EvaluationRunStore(connections);
        EvaluationRun? midway = null;
        for (var i = 0; i < 200 && midway?.ProgressAt is null; i++)
        {
            await Task.Delay(10);
            midway = await store.ActiveAsync("c-1");
        }

        evaluation.Finish();
        var run = await running;

        Assert.Equal(40, midway!.ParticipantsDone);
        Assert.Equal(100, midway.ParticipantsTotal);
        Assert.Equal(Night.AddSeconds(2), midway.ProgressAt);
        Assert.Equal(Night.AddSeconds(2).AddMinutes(1), midway.LeaseExpiresAt);
        Assert.Equal(20.0, midway.Rate);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
    }

    [StoreFact]
    public async Task QueueManual_ReturnsTheActiveRun_WhenTheContractIsBusy()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await ContractSeeder.AddTinyContractAsync(connections, "c-1", participants: 1);
        var runner = Runner(connections, new ParticipantCountingEvaluation(connections), new FakeTimeProvider(Night));

        var (first, created) = await runner.QueueManualAsync("c-1");
        var (second, createdAgain) = await runner.QueueManualAsync("c-1");

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(RunStatus.Queued, second.Status);
    }

    private static EvaluationRunner Runner(
        DbConnectionFactory connections, IContractEvaluation evaluation, TimeProvider time, int maxRetries = 2, TimeSpan? backoff = null, WaitableLog? log = null) =>
        new(new EvaluationRunStore(connections), evaluation,
            Options.Create(new SchedulerOptions { MaxRetries = maxRetries, RetryBackoff = backoff ?? TimeSpan.Zero }),
            time, log ?? (ILogger<EvaluationRunner>)NullLogger<EvaluationRunner>.Instance);

    /// <summary>
    /// The runner logs just before it waits on the clock; a test waits for that line before advancing the fake
    /// clock, so the wait is registered at the instant the test expects.
    /// </summary>
    private sealed class WaitableLog : ILogger<EvaluationRunner>
    {
        private readonly List<string> _lines = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }

        public async Task WaitForAsync(string text)
        {
            for (var i = 0; i < 1000; i++)
            {
                lock (_lines)
                {
                    if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
                    {
                        break;
                    }
                }

                await Task.Delay(10);
            }

            // The line is written just before the timer is created; give the runner a moment to create it.
            await Task.Delay(100);
            lock (_lines)
            {
                Assert.Contains(_lines, l => l.Contains(text, StringComparison.Ordinal));
            }
        }
    }

    private sealed class HalfwayEvaluation : IContractEvaluation
    {
        private readonly TaskCompletionSource _halfway = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Halfway => _halfway.Task;

        public void Finish() => _finish.TrySetResult();

        public async Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
        {
            progress.Report(new EvaluationProgress(40, 100));
            _halfway.TrySetResult();
            await _finish.Task.WaitAsync(cancellationToken);
            return new EvaluationOutcome(100, new Dictionary<string, long> { ["decisionsWritten"] = 0 });
        }
    }

    private sealed class FailingEvaluation(int failures, Func<Exception> failure) : IContractEvaluation
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            if (attempt <= failures)
            {
                throw failure();
            }

            return Task.FromResult(new EvaluationOutcome(2, new Dictionary<string, long> { ["decisionsWritten"] = 0 }));
        }
    }
}

public sealed class SqliteEvaluationRunnerTests : EvaluationRunnerTests<Sqlite>;

public sealed class PostgreSqlEvaluationRunnerTests : EvaluationRunnerTests<PostgreSql>;
