using System.Globalization;
using System.Threading.RateLimiting;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Limits;

/// <summary>
/// Hostile-input limits: body size and JSON shape (<see cref="RequestLimits"/>), request timeouts, and a rate
/// limit per organisation. Every refusal is a ProblemDetails: 413, 400 with the JSON path, 429 with Retry-After,
/// 504.
/// </summary>
public static class LimitsExtensions
{
    /// <summary>The timeout policy of the JSON Lines bulk endpoints (<see cref="LimitOptions.BulkRequestTimeout"/>).</summary>
    public const string BulkTimeoutPolicy = "bulk";

    public static WebApplicationBuilder AddLimits(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitOptions>, LimitOptionsValidator>();

        // The binder's own depth limit, behind the check in RequestLimits, for any body that reaches it unchecked.
        services.AddOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>()
            .Configure<IOptions<LimitOptions>>((json, limits) => json.SerializerOptions.MaxDepth = limits.Value.MaxJsonDepth);

        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<LimitOptions>>((timeouts, limits) =>
        {
            timeouts.DefaultPolicy = TimeoutPolicy(limits.Value.RequestTimeout);
            timeouts.AddPolicy(BulkTimeoutPolicy, TimeoutPolicy(limits.Value.BulkRequestTimeout));
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitOptions>>((rates, limits) =>
        {
            var (permits, window) = (limits.Value.RateLimitPermits, limits.Value.RateLimitWindow);
            rates.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(
                PartitionOf(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true }));
            rates.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            rates.OnRejected = (rejected, _) => WriteTooManyRequestsAsync(rejected, window);
        });
        return builder;
    }

    /// <summary>
    /// After authentication, so requests count against the caller's organisation: one organisation's flood does
    /// not slow another's, and many keys of one organisation share its budget. Requests without a valid key are
    /// refused by authorization before they get here; the anonymous endpoints count by remote address.
    /// </summary>
    public static WebApplication UseLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        app.UseMiddleware<RequestLimits>();
        return app;
    }

    /// <summary>The bulk timeout instead of the ordinary one.</summary>
    public static RouteHandlerBuilder WithBulkTimeout(this RouteHandlerBuilder builder) => builder.WithMetadata(new RequestTimeoutAttribute(BulkTimeoutPolicy));

    private static string PartitionOf(HttpContext context) =>
        context.User.FindFirst(ContractClaims.OrganisationId)?.Value is { } organisation
            ? "organisation:" + organisation
            : "address:" + context.Connection.RemoteIpAddress;

    private static RequestTimeoutPolicy TimeoutPolicy(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        WriteTimeoutResponse = context => TypedResults.Problem(
            string.Create(CultureInfo.InvariantCulture, $"The request took longer than {timeout} and was stopped. Send it again, or split a large upload."),
            statusCode: StatusCodes.Status504GatewayTimeout,
            title: "Request timed out").ExecuteAsync(context),
    };

    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, TimeSpan window)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var response = rejected.HttpContext.Response;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            string.Create(CultureInfo.InvariantCulture, $"Your organisation has used its requests for this window; retry after {seconds} seconds."),
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests").ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
    }
}
