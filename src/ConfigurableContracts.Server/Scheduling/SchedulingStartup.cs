using ConfigurableContracts.Core.Runs;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Scheduling;

/// <summary>
/// At start-up, after migrations: brings Quartz's triggers in step with the active contracts, resumes runs an
/// earlier process left queued or running (at once when that process is provably gone, else once its lease lapses),
/// and catches up, once, each contract's latest
/// nightly run if it was missed while no server was up.
/// </summary>
internal sealed partial class SchedulingStartup(
    ContractSchedule schedule,
    EvaluableContracts contracts,
    EvaluationRunStore runs,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<SchedulingStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await schedule.SyncAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();

        // Also runs under a lease that is still live: after a crash and an immediate restart the lease is this
        // instance's own from before, and on a single instance no one else would resume the run. The runner takes
        // it over at once when its holder is provably a previous life of this instance (same host and its process
        // gone, or this instance's configured id), else waits the lease out and leaves the run alone if its holder
        // turns out to be alive and keeps renewing it.
        foreach (var orphan in await runs.UnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            LogResuming(logger, orphan.Id, orphan.ContractId, RunNames.Of(orphan.Status), orphan.LeaseExpiresAt);
            await schedule.RunNowAsync(new RunRequest(orphan.ContractId, orphan.Trigger, orphan.ScheduledFor, orphan.Id), cancellationToken).ConfigureAwait(false);
        }

        if (!options.Value.CatchUpOnStart)
        {
            return;
        }

        foreach (var contract in await contracts.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            var last = await runs.LastNightlyAsync(contract.Id, cancellationToken).ConfigureAwait(false);
            if (NightlySchedule.MissedFireTime(schedule.CronFor(contract), now, contract.ActivatedAt, last) is { } missed)
            {
                LogCatchingUp(logger, contract.Id, missed);
                await schedule.RunNowAsync(new RunRequest(contract.Id, RunTrigger.CatchUp, missed), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Resuming evaluation run {RunId} of contract {ContractId}, left {Status} by an earlier process (lease until {LeaseExpiresAt:O})")]
    private static partial void LogResuming(ILogger logger, string runId, string contractId, string status, DateTimeOffset? leaseExpiresAt);

    [LoggerMessage(LogLevel.Information, "Catching up contract {ContractId}: its nightly run at {FireTime:O} was missed")]
    private static partial void LogCatchingUp(ILogger logger, string contractId, DateTimeOffset fireTime);
}
