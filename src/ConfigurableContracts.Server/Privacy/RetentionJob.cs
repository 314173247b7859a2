using ConfigurableContracts.Core.Privacy;
using Quartz;

namespace ConfigurableContracts.Server.Privacy;

/// <summary>
/// The Quartz job that runs <see cref="RetentionSweep"/>. One durable job for the whole deployment: on the
/// clustered store one instance fires it; non-concurrent, so a slow run and the next firing never overlap. Should
/// two instances still meet, each contract's removal claims the contract in its transaction, so it happens once.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class RetentionJob(RetentionSweep sweep, ILogger<RetentionJob> logger) : IJob
{
    public static JobKey Key { get; } = new("retention", "privacy");

    public static TriggerKey TriggerKey { get; } = new("retention", "privacy");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var run = await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
        LogRun(logger, run.Today, run.Removed.Count, run.AuditEntries);
    }

    [LoggerMessage(LogLevel.Information, "Retention run for {Today}: {Contracts} contract(s) had their participant data removed; {AuditEntries} audit entries written")]
    private static partial void LogRun(ILogger logger, DateOnly today, int contracts, int auditEntries);
}
