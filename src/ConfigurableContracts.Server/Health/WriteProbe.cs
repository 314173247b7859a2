using System.Data.Common;

namespace ConfigurableContracts.Server.Health;

/// <summary>
/// Probes database writes in the background: every few seconds while they fail, so the API takes writes again soon
/// after space returns without waiting for someone to call <c>/health</c>; now and then while they succeed, so a
/// disk that filled up is noticed before a request meets it.
/// </summary>
internal sealed partial class WriteProbe(DatabaseWrites writes, TimeProvider time, ILogger<WriteProbe> logger) : BackgroundService
{
    /// <summary>The wait between probes while writes fail; also what a refused write is told to wait (Retry-After).</summary>
    public static readonly TimeSpan WhileFailing = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan WhileHealthy = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(writes.Failing is null ? WhileHealthy : WhileFailing, time, stoppingToken).ConfigureAwait(false);
                await writes.ProbeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (DbException exception)
            {
                // Not a failure of storage (the database out of reach, a schema not migrated): the database check says so.
                LogProbeFailed(logger, exception.GetType().Name);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "The write probe failed with {Exception}")]
    private static partial void LogProbeFailed(ILogger logger, string exception);
}
