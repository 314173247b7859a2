using System.Data.Common;
using ConfigurableContracts.Core.Runs;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Scheduling;

/// <summary>
/// The scheduler's recovery check, every <see cref="SchedulerOptions.RecoveryInterval"/>: a run left active under a
/// lease that lapsed — its holder died, or could not record how its attempt ended because the database refused the
/// write — or queued and never started, is fired again, so it is retried without waiting for the next night or a
/// restart. The runner's claim decides who does it; a run someone renews is left alone.
/// </summary>
internal sealed partial class RunRecovery(
    ContractSchedule schedule,
    EvaluationRunStore runs,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<RunRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.RecoveryInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One wait at a time rather than a periodic timer: a clock set years ahead (a test's, or a corrected
                // system clock) then means one check, not one for every interval it skipped.
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
                await RecoverAsync(interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (DbException exception)
            {
                // The database is out of reach or refuses the claim: the next check tries again.
                LogCheckFailed(logger, exception.GetType().Name);
            }
        }
    }

    private async Task RecoverAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var run in await runs.UnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            var abandoned = run.Status == RunStatus.Queued
                ? run.CreatedAt < now - interval
                : run.LeaseExpiresAt is not { } lease || lease < now;
            if (abandoned)
            {
                LogRecovering(logger, run.Id, run.ContractId, RunNames.Of(run.Status), run.LeaseExpiresAt);
                await schedule.RunNowAsync(new RunRequest(run.ContractId, run.Trigger, run.ScheduledFor, run.Id), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Recovering evaluation run {RunId} of contract {ContractId}: {Status}, lease until {LeaseExpiresAt:O}, nobody renews it")]
    private static partial void LogRecovering(ILogger logger, string runId, string contractId, string status, DateTimeOffset? leaseExpiresAt);

    [LoggerMessage(LogLevel.Warning, "The run recovery check failed with {Exception}; it runs again at the next interval")]
    private static partial void LogCheckFailed(ILogger logger, string exception);
}
