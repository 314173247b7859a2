using System.Data.Common;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace ConfigurableContracts.Server.Health;

/// <summary>
/// Degraded while the database refuses writes (reads still work, so the instance stays ready to answer them, and
/// writes with a 503 that says why); unhealthy when a probe fails in a way no wait mends.
/// </summary>
internal sealed class DatabaseWritesHealthCheck(DatabaseWrites writes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (await writes.ProbeAsync(cancellationToken).ConfigureAwait(false) is not { } failure)
            {
                return HealthCheckResult.Healthy("Writes are stored.");
            }

            var data = new Dictionary<string, object> { ["reason"] = failure.Reason };
            if (writes.FailingSince is { } since)
            {
                data["since"] = since;
            }

            return HealthCheckResult.Degraded($"Writes fail: {failure.Description} Reads still work; writes are answered 503.", data: data);
        }
        catch (DbException exception)
        {
            return HealthCheckResult.Unhealthy($"The write probe failed ({exception.GetType().Name}).");
        }
    }
}

/// <summary>
/// Degraded while a template folder does not load: its contracts keep the bundles they were made with, but the
/// template cannot be used for new contracts until it is fixed.
/// </summary>
internal sealed class TemplatesHealthCheck(TemplateCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broken = catalog.AllDiagnostics
            .Where(entry => entry.Value.Any(d => d.Severity == DiagnosticSeverity.Error))
            .Select(entry => entry.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        var data = new Dictionary<string, object> { ["loaded"] = catalog.Templates.Count };
        if (broken.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Every template loads.", data));
        }

        data["broken"] = broken;
        return Task.FromResult(HealthCheckResult.Degraded(
            $"{broken.Count} template folder(s) do not load: {string.Join(", ", broken)}; see the server log or contracts validate.", data: data));
    }
}

/// <summary>
/// Unhealthy while the scheduler is not running (no nightly evaluation would fire); degraded while a run is active
/// under a lease that lapsed, which the recovery check should have taken over.
/// </summary>
internal sealed class SchedulerHealthCheck(ISchedulerFactory schedulers, EvaluationRunStore runs, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["instanceId"] = scheduler.SchedulerInstanceId };
        var status = await scheduler.GetStatus(cancellationToken).ConfigureAwait(false);
        if (status != SchedulerStatus.Running)
        {
            data["status"] = status.ToString();
            return HealthCheckResult.Unhealthy($"The scheduler is {status}, not running: nightly evaluations do not fire on this instance.", data: data);
        }

        try
        {
            var now = time.GetUtcNow();
            var stalled = (await runs.UnfinishedAsync(cancellationToken).ConfigureAwait(false))
                .Where(run => run.Status != RunStatus.Queued && run.LeaseExpiresAt is { } lease && lease < now)
                .Select(run => run.Id)
                .ToList();
            if (stalled.Count > 0)
            {
                data["stalledRuns"] = stalled;
                return HealthCheckResult.Degraded($"{stalled.Count} run(s) active under a lapsed lease, waiting for recovery.", data: data);
            }
        }
        catch (DbException)
        {
            // The database checks report an unreachable database; the scheduler itself is running.
        }

        return HealthCheckResult.Healthy("The scheduler is running.", data);
    }
}
