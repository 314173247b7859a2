using System.Globalization;
using ConfigurableContracts.Core.Runs;
using Quartz;

namespace ConfigurableContracts.Server.Scheduling;

/// <summary>
/// The Quartz job behind every contract's nightly trigger, run-now and catch-up. One job per contract, marked
/// non-concurrent, so Quartz never starts a second firing of a contract while one runs (cluster-wide on the
/// shared store); the runner's lease in <c>evaluation_runs</c> guards the rest.
/// </summary>
[DisallowConcurrentExecution]
public sealed class EvaluationJob(EvaluationRunner runner) : IJob
{
    public const string ContractIdKey = "contractId";
    public const string RunIdKey = "runId";
    public const string TriggerKey = "trigger";
    public const string ScheduledForKey = "scheduledFor";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        var contractId = data.GetString(ContractIdKey) ?? throw new JobExecutionException($"Job {context.JobDetail.Key} has no {ContractIdKey}.");
        data.TryGetString(RunIdKey, out var runId);
        var trigger = data.TryGetString(TriggerKey, out var name) && name is not null ? RunNames.ParseTrigger(name) : RunTrigger.Schedule;

        // A nightly firing stands for its scheduled instant, also when it starts late or is recovered on
        // another instance after a crash; Quartz keeps that instant for both.
        var scheduledFor = data.TryGetString(ScheduledForKey, out var given) && given is not null
            ? DateTimeOffset.Parse(given, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : OriginalScheduledFireTime(context) ?? context.ScheduledFireTimeUtc ?? context.FireTimeUtc;

        await runner.RunAsync(new RunRequest(contractId, trigger, scheduledFor, runId), context.Scheduler.SchedulerInstanceId, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// A recovery firing (another instance died mid-run) is a trigger of its own with its own fire time; the
    /// instant the cut-off run stood for travels in its data, under Quartz's documented key.
    /// </summary>
    private static DateTimeOffset? OriginalScheduledFireTime(IJobExecutionContext context)
    {
        if (!context.Recovering
            || !context.MergedJobDataMap.TryGetString(SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime, out var text)
            || text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            // Quartz writes instants as ticks in its tables, and as Unix milliseconds in some string forms.
            return number > 100_000_000_000_000 ? new DateTimeOffset(number, TimeSpan.Zero) : DateTimeOffset.FromUnixTimeMilliseconds(number);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant.ToUniversalTime() : null;
    }

    /// <summary>The job data of a one-off firing for <paramref name="request"/>.</summary>
    public static JobDataMap DataFor(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = new JobDataMap
        {
            [TriggerKey] = RunNames.Of(request.Trigger),
            [ScheduledForKey] = request.ScheduledFor.ToString("O", CultureInfo.InvariantCulture),
        };
        if (request.RunId is not null)
        {
            data[RunIdKey] = request.RunId;
        }

        return data;
    }
}
