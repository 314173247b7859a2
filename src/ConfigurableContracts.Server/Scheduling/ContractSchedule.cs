using ConfigurableContracts.Core.Runs;
using Microsoft.Extensions.Options;
using Quartz;

namespace ConfigurableContracts.Server.Scheduling;

/// <summary>
/// Keeps Quartz's jobs and triggers in step with the contracts table: one durable job and one nightly cron
/// trigger per active contract, none for drafts and closed ones. The contracts endpoints call
/// <see cref="ScheduleAsync(string, CancellationToken)"/> when a contract is activated (or its schedule changes) and
/// <see cref="UnscheduleAsync"/> when it is closed; start-up calls <see cref="SyncAsync"/>.
/// </summary>
public sealed partial class ContractSchedule(
    ISchedulerFactory schedulers,
    EvaluableContracts contracts,
    IOptions<SchedulerOptions> options,
    ILogger<ContractSchedule> logger)
{
    /// <summary>The job group every contract's job lives in (job name = contract id).</summary>
    public const string JobGroup = "contract-evaluations";

    /// <summary>The trigger group of the nightly triggers (trigger name = contract id).</summary>
    public const string NightlyGroup = "contract-nightly";

    public static JobKey JobFor(string contractId) => new(contractId, JobGroup);

    public static TriggerKey NightlyTriggerFor(string contractId) => new(contractId, NightlyGroup);

    /// <summary>Schedules every active contract and removes the jobs of contracts that are no longer active.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var active = await contracts.ListActiveAsync(cancellationToken).ConfigureAwait(false);
        foreach (var contract in active)
        {
            await ScheduleAsync(scheduler, contract, cancellationToken).ConfigureAwait(false);
        }

        var keep = active.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(JobGroup), cancellationToken).ConfigureAwait(false))
        {
            if (!keep.Contains(key.Name))
            {
                await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            }
        }

        LogSynced(logger, active.Count);
    }

    /// <summary>Schedules the contract when it is active (replacing a changed cron), unschedules it otherwise.</summary>
    public async Task ScheduleAsync(string contractId, CancellationToken cancellationToken = default)
    {
        var contract = await contracts.FindActiveAsync(contractId, cancellationToken).ConfigureAwait(false);
        if (contract is null)
        {
            await UnscheduleAsync(contractId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await ScheduleAsync(scheduler, contract, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the contract's job and nightly trigger; a run in progress finishes.</summary>
    public async Task UnscheduleAsync(string contractId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.DeleteJob(JobFor(contractId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fires the contract's job once, now, for <paramref name="request"/> (run-now, catch-up, resumption).</summary>
    public async Task RunNowAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        if (!await scheduler.Exists(JobFor(request.ContractId), cancellationToken).ConfigureAwait(false))
        {
            await scheduler.AddJob(BuildJob(request.ContractId), AddJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
        }

        await scheduler.TriggerJob(JobFor(request.ContractId), EvaluationJob.DataFor(request), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cron a contract runs on: its own when set and valid, else the configured nightly one.</summary>
    public CronExpression CronFor(EvaluableContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        if (contract.ScheduleCron is { Length: > 0 } own)
        {
            if (CronExpression.TryParse(own, out _))
            {
                return NightlySchedule.Parse(own, zone);
            }

            LogBadContractCron(logger, contract.Id, own);
        }

        return NightlySchedule.Parse(options.Value.NightlyCron, zone);
    }

    private async Task ScheduleAsync(IScheduler scheduler, EvaluableContract contract, CancellationToken cancellationToken)
    {
        var cron = CronFor(contract);
        var key = NightlyTriggerFor(contract.Id);
        await scheduler.AddJob(BuildJob(contract.Id), AddJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
        if (await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false) is ICronTrigger existing
            && existing.CronExpressionString == cron.CronExpressionString
            && existing.TimeZone.Id == cron.TimeZone.Id)
        {
            // Unchanged: keep the stored trigger, so a second instance starting up does not reset its state.
            return;
        }

        // Misfires: a firing that starts late by less than MisfireThreshold still runs as that night's run; a
        // later one is skipped here and left to start-up catch-up, which decides from our own run records on
        // every database alike, so one night never gets both a late firing and a catch-up.
        var trigger = TriggerBuilder.Create(scheduler.TimeProvider)
            .WithIdentity(key)
            .ForJob(JobFor(contract.Id))
            .WithDescription($"Nightly evaluation of contract {contract.Id}")
            .WithSchedule(CronScheduleBuilder.Create(cron.CronExpressionString).InTimeZone(cron.TimeZone)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing))
            .WithMisfireThreshold(options.Value.MisfireThreshold)
            .Build();
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken).ConfigureAwait(false);
        LogScheduled(logger, contract.Id, cron.CronExpressionString, cron.TimeZone.Id);
    }

    private static IJobDetail BuildJob(string contractId) =>
        JobBuilder.Create<EvaluationJob>()
            .WithIdentity(JobFor(contractId))
            .WithDescription($"Evaluation of contract {contractId}")
            .UsingJobData(EvaluationJob.ContractIdKey, contractId)
            .StoreDurably(true)
            // A firing cut off by a crash is re-fired by another instance, for the same scheduled instant.
            .RequestRecovery(true)
            .Build();

    [LoggerMessage(LogLevel.Information, "Scheduled contract {ContractId}: '{Cron}' in {TimeZone}")]
    private static partial void LogScheduled(ILogger logger, string contractId, string cron, string timeZone);

    [LoggerMessage(LogLevel.Information, "Scheduling in step with {Count} active contract(s)")]
    private static partial void LogSynced(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "Contract {ContractId} has schedule_cron '{Cron}', which does not parse; it runs on the default nightly cron")]
    private static partial void LogBadContractCron(ILogger logger, string contractId, string cron);
}
