using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConfigurableContracts.Server.Health;

/// <summary><c>GET /health</c>: overall status plus one entry per check, as JSON operators can read and alert on.</summary>
public static class HealthEndpoints
{
    public static WebApplication MapHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteReportAsync })
            .WithTags("Health")
            .AllowAnonymous() // probes carry no credentials and the report holds no data
            .DisableRateLimiting(); // an orchestrator's probes must never see a healthy server as down (429)
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
