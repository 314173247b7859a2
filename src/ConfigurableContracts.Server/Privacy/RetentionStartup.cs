using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Runs;
using Microsoft.Extensions.Options;
using Quartz;

namespace ConfigurableContracts.Server.Privacy;

/// <summary>
/// At start-up, puts the retention job and its cron trigger into Quartz (or takes them out when retention is
/// disabled). On a cluster every instance does this against the shared store; an unchanged trigger is left as it
/// is, so a starting instance does not reset it.
/// </summary>
internal sealed partial class RetentionStartup(
    ISchedulerFactory schedulers,
    IOptions<RetentionOptions> retention,
    IOptions<SchedulerOptions> scheduling,
    ILogger<RetentionStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        if (!retention.Value.Enabled)
        {
            await scheduler.DeleteJob(RetentionJob.Key, cancellationToken).ConfigureAwait(false);
            LogDisabled(logger);
            return;
        }

        var job = JobBuilder.Create<RetentionJob>()
            .WithIdentity(RetentionJob.Key)
            .WithDescription("Removes participant data of contracts closed longer than Retention:PeriodYears")
            .StoreDurably(true)
            .RequestRecovery(true)
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken).ConfigureAwait(false);

        var zone = TimeZoneInfo.FindSystemTimeZoneById(scheduling.Value.TimeZone);
        if (await scheduler.GetTrigger(RetentionJob.TriggerKey, cancellationToken).ConfigureAwait(false) is ICronTrigger existing
            && existing.CronExpressionString == retention.Value.Cron && existing.TimeZone.Id == zone.Id)
        {
            return;
        }

        // A night missed while no server ran is made up at once: removal is an obligation, and a late run removes
        // exactly what an on-time one would have.
        var trigger = TriggerBuilder.Create(scheduler.TimeProvider)
            .WithIdentity(RetentionJob.TriggerKey)
            .ForJob(RetentionJob.Key)
            .WithDescription("Retention of participant data")
            .WithSchedule(CronScheduleBuilder.Create(retention.Value.Cron).InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken).ConfigureAwait(false);
        LogScheduled(logger, retention.Value.Cron, zone.Id, retention.Value.PeriodYears);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Retention scheduled: '{Cron}' in {TimeZone}, participant data kept {Years} year(s) after a contract closes")]
    private static partial void LogScheduled(ILogger logger, string cron, string timeZone, int years);

    [LoggerMessage(LogLevel.Warning, "Retention is disabled (Retention:Enabled false): no participant data is removed after the retention period")]
    private static partial void LogDisabled(ILogger logger);
}
