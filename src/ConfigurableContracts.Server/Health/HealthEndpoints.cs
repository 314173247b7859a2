using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConfigurableContracts.Server.Health;

/// <summary>
/// <c>GET /health</c>: overall status plus one entry per check, as JSON operators can read and alert on.
/// <c>/health/live</c> only says the process answers (restart it when it does not); <c>/health/ready</c> runs the
/// checks a load balancer should route by. Degraded answers 200 on both: a full disk or a broken template leaves
/// reads and the other templates working, and every instance shares the database, so taking one out helps no one.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The checks beside the database's own (registered with the data): writes, templates, scheduler.</summary>
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<DatabaseWrites>();
        builder.Services.AddHostedService<WriteProbe>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseWritesHealthCheck>("database-writes", tags: [ReadyTag])
            .AddCheck<TemplatesHealthCheck>("templates", tags: [ReadyTag])
            .AddCheck<SchedulerHealthCheck>("scheduler", tags: [ReadyTag]);
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Probes carry no credentials and the reports hold no data; no probe is rate limited, so an orchestrator never
        // reads a 429 as a healthy server being down.
        void Map(string path, Func<HealthCheckRegistration, bool>? predicate) =>
            app.MapHealthChecks(path, new HealthCheckOptions { ResponseWriter = WriteReportAsync, Predicate = predicate })
                .WithTags("Health")
                .AllowAnonymous()
                .DisableRateLimiting();
        Map("/health", predicate: null);
        Map("/health/ready", check => check.Tags.Contains(ReadyTag));
        Map("/health/live", _ => false);
        return app;
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, data = entry.Value.Data }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
