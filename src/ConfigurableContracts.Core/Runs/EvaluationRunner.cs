using System.Data.Common;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Runs;

/// <summary>What to run: a contract, why, and for which instant; a queued run's id when one was recorded first.</summary>
public sealed record RunRequest(string ContractId, RunTrigger Trigger, DateTimeOffset ScheduledFor, string? RunId = null);

/// <summary>
/// Carries out one evaluation run, the same way for the nightly job, run-now, catch-up and the CLI:
/// claims the run in <c>evaluation_runs</c> (so no two runs of a contract overlap, across instances too),
/// renews its lease while writing progress, retries transient failures with doubling backoff, and records
/// the end. The evaluation itself is an <see cref="IContractEvaluation"/>.
/// </summary>
public sealed partial class EvaluationRunner(
    EvaluationRunStore runs,
    IContractEvaluation evaluation,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<EvaluationRunner> logger)
{
    private SchedulerOptions Settings => options.Value;

    /// <summary>
    /// Records a manual run as queued. When the contract already has an active run, nothing is recorded and
    /// that run is returned with <c>Created = false</c>.
    /// </summary>
    public async Task<(EvaluationRun Run, bool Created)> QueueManualAsync(string contractId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var run = NewRun(contractId, RunTrigger.Manual, now, RunStatus.Queued, now);
        if (await runs.TryInsertAsync(run, cancellationToken).ConfigureAwait(false))
        {
            return (run, true);
        }

        var active = await runs.ActiveAsync(contractId, cancellationToken).ConfigureAwait(false);
        return active is not null
            ? (active, false)
            : await QueueManualAsync(contractId, cancellationToken).ConfigureAwait(false); // the active run ended meanwhile
    }

    /// <summary>
    /// Runs <paramref name="request"/> as <paramref name="instanceId"/>. Returns the run as it ended, or null when
    /// there was nothing for this instance to do (the occurrence already ran, or another live instance holds it).
    /// Cancellation (shutdown) hands the run back for recovery and rethrows. Also null when how the attempt ended could
    /// not be recorded (the database refused the write): the run is then left for recovery.
    /// </summary>
    public async Task<EvaluationRun?> RunAsync(RunRequest request, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var run = await ClaimAsync(request, instanceId, cancellationToken).ConfigureAwait(false);
        return run is null ? null : await ExecuteAsync(run, instanceId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EvaluationRun?> ClaimAsync(RunRequest request, string instanceId, CancellationToken cancellationToken)
    {
        for (var wait = 0; ; wait++)
        {
            var now = time.GetUtcNow();
            var existing = request.RunId is { } id
                ? await runs.GetAsync(id, cancellationToken).ConfigureAwait(false)
                : await runs.FindAsync(request.ContractId, request.Trigger, request.ScheduledFor, cancellationToken).ConfigureAwait(false);
            if (existing is null && request.RunId is not null)
            {
                LogNothingToDo(logger, request.RunId, "no such run");
                return null;
            }

            if (existing is null && await TwinAsync(request, cancellationToken).ConfigureAwait(false) is { } twin)
            {
                // A nightly instant is evaluated once, whether the trigger or start-up catch-up got there first.
                LogNothingToDo(logger, twin.Id, "the same nightly instant already has this run");
                return null;
            }

            if (existing is null)
            {
                var fresh = NewRun(request.ContractId, request.Trigger, request.ScheduledFor, RunStatus.Queued, now);
                existing = await runs.TryInsertAsync(fresh, cancellationToken).ConfigureAwait(false)
                    ? fresh
                    : await runs.FindAsync(request.ContractId, request.Trigger, request.ScheduledFor, cancellationToken).ConfigureAwait(false);
            }

            if (existing is not null && !existing.IsActive)
            {
                LogNothingToDo(logger, existing.Id, $"it already {RunNames.Of(existing.Status)}");
                return null;
            }

            if (existing is not null
                && await runs.TryClaimAsync(existing.Id, instanceId, now, now + Settings.LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                return await runs.GetAsync(existing.Id, cancellationToken).ConfigureAwait(false);
            }

            if (existing is { Status: RunStatus.Running or RunStatus.Retrying, HolderProcess: { } previous }
                && PreviousLife(existing, instanceId) is { } why
                && await runs.TryTakeOverAsync(existing.Id, instanceId, existing.InstanceId, previous, now, now + Settings.LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                LogTakenOver(logger, existing.Id, existing.InstanceId, previous, why);
                return await runs.GetAsync(existing.Id, cancellationToken).ConfigureAwait(false);
            }

            // Either another run of the contract is active, or another instance holds this one. A holder that
            // is alive keeps renewing its lease; a dead one's lease lapses and the run becomes ours to take.
            var holder = existing ?? await runs.ActiveAsync(request.ContractId, cancellationToken).ConfigureAwait(false);
            if (wait >= Settings.MaxRetries)
            {
                return await GiveUpAsync(request, existing, holder, instanceId, cancellationToken).ConfigureAwait(false);
            }

            var delay = holder?.LeaseExpiresAt is { } lease && lease > now
                ? lease - now + TimeSpan.FromMilliseconds(100)
                : Settings.BackoffBefore(wait + 1);
            LogWaiting(logger, request.ContractId, holder?.Id ?? "(ended)", delay);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why <paramref name="run"/>'s holder, whose lease is still live, is a previous life of this instance that will
    /// never renew it — so the run is resumed now rather than when the lease lapses — or null when that cannot be
    /// shown and the holder may be alive. Two live instances never overlap: a holder in this process, or alive on this
    /// host, is never taken over.
    /// </summary>
    private string? PreviousLife(EvaluationRun run, string instanceId)
    {
        if (run.HolderProcess is not { } holder || string.Equals(holder, RunHolder.Current, StringComparison.Ordinal))
        {
            return null;
        }

        if (RunHolder.IsProvablyDead(holder))
        {
            return "its process on this host is gone";
        }

        // An instance id set in configuration names one process at a time (as in Quartz's cluster), so a holder under
        // this very id in another process is this instance before it restarted — on another host when a container
        // came back elsewhere, where its process cannot be looked up.
        return Settings.InstanceId is { Length: > 0 } configured
            && string.Equals(configured, instanceId, StringComparison.Ordinal)
            && string.Equals(run.InstanceId, configured, StringComparison.Ordinal)
            && !RunHolder.IsOnThisHost(holder)
                ? $"it holds this instance's configured id {configured} and ran in an earlier process"
                : null;
    }

    private Task<EvaluationRun?> TwinAsync(RunRequest request, CancellationToken cancellationToken) => request.Trigger switch
    {
        RunTrigger.Schedule => runs.FindAsync(request.ContractId, RunTrigger.CatchUp, request.ScheduledFor, cancellationToken),
        RunTrigger.CatchUp => runs.FindAsync(request.ContractId, RunTrigger.Schedule, request.ScheduledFor, cancellationToken),
        _ => Task.FromResult<EvaluationRun?>(null),
    };

    private async Task<EvaluationRun?> GiveUpAsync(RunRequest request, EvaluationRun? occurrence, EvaluationRun? holder, string instanceId, CancellationToken cancellationToken)
    {
        if (occurrence is not null)
        {
            // This very run is held by a live instance: it is being done, just not here.
            LogNothingToDo(logger, occurrence.Id, $"instance {occurrence.InstanceId} holds it");
            return null;
        }

        var now = time.GetUtcNow();
        var failed = NewRun(request.ContractId, request.Trigger, request.ScheduledFor, RunStatus.Failed, now) with
        {
            InstanceId = instanceId,
            FinishedAt = now,
            Error = $"Not started: run {holder?.Id} of this contract was still active after {Settings.MaxRetries} waits.",
        };
        await runs.TryInsertAsync(failed, cancellationToken).ConfigureAwait(false);
        LogGaveUp(logger, request.ContractId, holder?.Id ?? "(unknown)");
        return failed;
    }

    private async Task<EvaluationRun?> ExecuteAsync(EvaluationRun run, string instanceId, CancellationToken cancellationToken)
    {
        using var telemetry = ContractsTelemetry.StartRun(run.ContractId, run.Id, RunNames.Of(run.Trigger));
        for (var retry = 0; ; )
        {
            using var holding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var progress = new ProgressWriter(runs, time, Settings, logger, run, instanceId, holding);
            var writer = progress.RunAsync(holding.Token);
            Exception failure;
            try
            {
                LogStarted(logger, run.Id, run.ContractId, RunNames.Of(run.Trigger), run.Attempt + retry, instanceId);
                var outcome = await evaluation.RunAsync(run.ContractId, run, progress, holding.Token).ConfigureAwait(false);
                await progress.StopAsync(writer).ConfigureAwait(false);
                if (!await RecordAsync(run, () => runs.CompleteAsync(run.Id, instanceId, time.GetUtcNow(), outcome, error: null, CancellationToken.None)).ConfigureAwait(false))
                {
                    return null;
                }

                LogSucceeded(logger, run.Id, run.ContractId, outcome.ParticipantsTotal, string.Join(", ", outcome.Counts.Select(c => $"{c.Key}={c.Value}")));
                telemetry.Succeeded();
                return await runs.GetAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await progress.StopAsync(writer).ConfigureAwait(false);
                await RecordAsync(run, () => runs.ReleaseAsync(run.Id, instanceId, $"Interrupted when instance {instanceId} stopped; resumed by the instance that recovers it.", time.GetUtcNow(), CancellationToken.None)).ConfigureAwait(false);
                LogReleased(logger, run.Id, instanceId);
                throw;
            }
            catch (OperationCanceledException) when (progress.LeaseLost)
            {
                await progress.StopAsync(writer).ConfigureAwait(false);
                LogLeaseLost(logger, run.Id, instanceId);
                return await runs.GetAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (progress.WriteFailure is { } progressFailure)
            {
                // The lease could not be renewed: going on would outlive it. The attempt ends as the write failed.
                await progress.StopAsync(writer).ConfigureAwait(false);
                failure = progressFailure;
            }
            catch (Exception exception)
            {
                await progress.StopAsync(writer).ConfigureAwait(false);
                failure = exception;
            }

            if (IsTransient(failure) && retry < Settings.MaxRetries)
            {
                retry++;
                var delay = Settings.BackoffBefore(retry);
                var now = time.GetUtcNow();
                if (!await RecordAsync(run, () => runs.MarkRetryingAsync(run.Id, instanceId, $"{Describe(failure)}; retry {retry} of {Settings.MaxRetries} after {delay}.",
                        now + delay + Settings.LeaseDuration, CancellationToken.None)).ConfigureAwait(false))
                {
                    return null;
                }

                LogRetrying(logger, run.Id, Describe(failure), retry, Settings.MaxRetries, delay);
                try
                {
                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await RecordAsync(run, () => runs.ReleaseAsync(run.Id, instanceId, $"Interrupted when instance {instanceId} stopped before retry {retry}.", time.GetUtcNow(), CancellationToken.None)).ConfigureAwait(false);
                    throw;
                }

                if (!await RecordAsync(run, () => runs.ResumeAsync(run.Id, instanceId, time.GetUtcNow() + Settings.LeaseDuration, CancellationToken.None)).ConfigureAwait(false))
                {
                    return null;
                }

                continue;
            }

            var error = Describe(failure);
            if (!await RecordAsync(run, () => runs.CompleteAsync(run.Id, instanceId, time.GetUtcNow(), outcome: null, error, CancellationToken.None)).ConfigureAwait(false))
            {
                return null;
            }

            LogFailed(logger, run.Id, run.ContractId, error);
            telemetry.Failed(error);
            return await runs.GetAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a change of the run's state; false when the database refused it (a full disk, say). The run is then
    /// left as last recorded, active under a lease nobody renews: this instance stops working on it, so that whoever
    /// takes it over once the lease lapses — the scheduler's recovery check (<see cref="SchedulerOptions.RecoveryInterval"/>),
    /// a restart — never overlaps with it, and the evaluation, being idempotent, is simply done again.
    /// </summary>
    private async Task<bool> RecordAsync(EvaluationRun run, Func<Task<bool>> write)
    {
        try
        {
            await write().ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (IsTransient(exception))
        {
            LogNotRecorded(logger, run.Id, Describe(exception));
            return false;
        }
    }

    /// <summary>Database and timeout failures are worth a retry; a bug or bad data is not.</summary>
    public static bool IsTransient(Exception exception) =>
        exception is DbException or TimeoutException || DbErrors.WriteFailureOf(exception) is not null;

    /// <summary>
    /// What a failure is recorded as. Exception messages can quote data (a constraint error names the key,
    /// a pseudonym), so only our own safe-by-contract exception keeps its message; others keep their type.
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        ContractEvaluationException safe => safe.Message,
        DbException { SqlState: { Length: > 0 } state } db => $"{db.GetType().Name} (SQLSTATE {state})",
        _ => exception.GetType().Name,
    };

    private static EvaluationRun NewRun(string contractId, RunTrigger trigger, DateTimeOffset scheduledFor, RunStatus status, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now).ToString(),
        ContractId = contractId,
        Trigger = trigger,
        Status = status,
        ScheduledFor = scheduledFor,
        CreatedAt = now,
    };

    /// <summary>
    /// Collects progress reports (cheap, any thread) and, every <see cref="SchedulerOptions.ProgressInterval"/>,
    /// writes the latest to the run record, renewing the lease, and logs it. Losing the lease stops the run.
    /// </summary>
    private sealed class ProgressWriter(EvaluationRunStore runs, TimeProvider time, SchedulerOptions settings, ILogger logger, EvaluationRun run, string instanceId, CancellationTokenSource holding) : IProgress<EvaluationProgress>
    {
        private EvaluationProgress _latest;
        private EvaluationProgress _written = new(-1, -1);

        public bool LeaseLost { get; private set; }

        /// <summary>Why the lease could not be renewed, when the database refused the progress write.</summary>
        public Exception? WriteFailure { get; private set; }

        public void Report(EvaluationProgress value) => _latest = value;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(settings.ProgressInterval, time);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    await WriteAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The run ended or is stopping; the final state is written by the runner.
            }
        }

        public async Task StopAsync(Task writer)
        {
            if (!holding.IsCancellationRequested)
            {
                await holding.CancelAsync().ConfigureAwait(false);
            }

            await writer.ConfigureAwait(false);
        }

        private async Task WriteAsync(CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            var snapshot = _latest;
            bool held;
            try
            {
                held = await runs.ReportProgressAsync(run.Id, instanceId, snapshot, now, now + settings.LeaseDuration, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsTransient(exception))
            {
                WriteFailure = exception;
                await holding.CancelAsync().ConfigureAwait(false);
                return;
            }

            if (!held)
            {
                LeaseLost = true;
                await holding.CancelAsync().ConfigureAwait(false);
                return;
            }

            if (snapshot != _written)
            {
                var started = run.StartedAt ?? now;
                var seconds = (now - started).TotalSeconds;
                LogProgress(logger, run.Id, run.ContractId, snapshot.ParticipantsDone, snapshot.ParticipantsTotal,
                    seconds > 0 ? snapshot.ParticipantsDone / seconds : 0);
                _written = snapshot;
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Evaluation run {RunId} of contract {ContractId} ({Trigger}) started, attempt {Attempt}, on {InstanceId}")]
    private static partial void LogStarted(ILogger logger, string runId, string contractId, string trigger, int attempt, string instanceId);

    [LoggerMessage(LogLevel.Information, "Evaluation run {RunId} of contract {ContractId}: {Done}/{Total} participants, {Rate:F1}/s")]
    private static partial void LogProgress(ILogger logger, string runId, string contractId, int done, int total, double rate);

    [LoggerMessage(LogLevel.Information, "Evaluation run {RunId} of contract {ContractId} succeeded: {Total} participants, {Counts}")]
    private static partial void LogSucceeded(ILogger logger, string runId, string contractId, int total, string counts);

    [LoggerMessage(LogLevel.Warning, "Evaluation run {RunId} failed transiently ({Error}); retry {Retry} of {MaxRetries} after {Delay}")]
    private static partial void LogRetrying(ILogger logger, string runId, string error, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Evaluation run {RunId} of contract {ContractId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string runId, string contractId, string error);

    [LoggerMessage(LogLevel.Warning, "Evaluation run {RunId} handed back for recovery: instance {InstanceId} is stopping")]
    private static partial void LogReleased(ILogger logger, string runId, string instanceId);

    [LoggerMessage(LogLevel.Warning, "Evaluation run {RunId} stopped on {InstanceId}: another instance took over its lapsed lease")]
    private static partial void LogLeaseLost(ILogger logger, string runId, string instanceId);

    [LoggerMessage(LogLevel.Error, "Evaluation run {RunId}: its state could not be recorded ({Error}); left for the recovery check once its lease lapses")]
    private static partial void LogNotRecorded(ILogger logger, string runId, string error);

    [LoggerMessage(LogLevel.Warning, "Evaluation run {RunId} resumed at once from {PreviousInstance} ({PreviousHolder}): {Reason}")]
    private static partial void LogTakenOver(ILogger logger, string runId, string? previousInstance, string previousHolder, string reason);

    [LoggerMessage(LogLevel.Information, "Nothing to do for evaluation run {RunId}: {Reason}")]
    private static partial void LogNothingToDo(ILogger logger, string runId, string reason);

    [LoggerMessage(LogLevel.Information, "Contract {ContractId} is busy with run {HolderId}; trying again in {Delay}")]
    private static partial void LogWaiting(ILogger logger, string contractId, string holderId, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Evaluation of contract {ContractId} not started: run {HolderId} stayed active")]
    private static partial void LogGaveUp(ILogger logger, string contractId, string holderId);
}
