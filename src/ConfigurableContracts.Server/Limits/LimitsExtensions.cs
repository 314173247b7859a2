using System.Globalization;
using System.Threading.RateLimiting;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Limits;

/// <summary>
/// Hostile-input limits: body size and JSON shape (<see cref="RequestLimits"/>), request timeouts, and a rate
/// limit per organisation (per remote address without valid credentials). Every refusal is a ProblemDetails: 413, 400 with the JSON path, 429 with Retry-After,
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

        // X-Purpose is free text that staff type, often in Swedish ("uppföljning"): Kestrel reads it as UTF-8, where it
        // refuses any byte above 0x7F in every other header. Invalid UTF-8 throws, which is still Kestrel's 400, rather
        // than storing replacement characters.
        var strictUtf8 = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.RequestHeaderEncodingSelector = name =>
            string.Equals(name, Audit.PurposeHeader.Name, StringComparison.OrdinalIgnoreCase) ? strictUtf8 : null);

        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<LimitOptions>>((timeouts, limits) =>
        {
            timeouts.DefaultPolicy = TimeoutPolicy(limits.Value.RequestTimeout);
            timeouts.AddPolicy(BulkTimeoutPolicy, TimeoutPolicy(limits.Value.BulkRequestTimeout));
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitOptions>>((rates, limits) =>
        {
            var (perOrganisation, perAddress, window) = (limits.Value.RateLimitPermits, limits.Value.RateLimitPermitsPerAddress, limits.Value.RateLimitWindow);
            rates.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => OrganisationOf(context) is { } organisation
                ? RateLimitPartition.GetFixedWindowLimiter("organisation:" + organisation, _ => FixedWindow(perOrganisation, window))
                : RateLimitPartition.GetFixedWindowLimiter("address:" + context.Connection.RemoteIpAddress, _ => FixedWindow(perAddress, window)));
            rates.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            rates.OnRejected = (rejected, _) => WriteTooManyRequestsAsync(rejected, window);
        });
        return builder;
    }

    /// <summary>
    /// The rate limit. After authentication, which only identifies the caller, and before the audit and
    /// authorization, which refuse: requests with valid credentials count against their organisation (one
    /// organisation's flood does not slow another's; many keys of one organisation share its budget), every other
    /// request against its remote address. So guessed, revoked or expired credentials meet a 429 after
    /// <see cref="LimitOptions.RateLimitPermitsPerAddress"/> tries, and a flood of them cannot grow the audit log
    /// without bound (a 429 is answered before the audit sees the request).
    /// </summary>
    public static WebApplication UseRateLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// Timeouts and body limits, after authorization: a caller without credentials is refused with 401 before
    /// its body is read, so it learns nothing from validation answers.
    /// </summary>
    public static WebApplication UseLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestTimeouts();
        app.UseMiddleware<RequestLimits>();
        return app;
    }

    /// <summary>The bulk timeout instead of the ordinary one.</summary>
    public static RouteHandlerBuilder WithBulkTimeout(this RouteHandlerBuilder builder) => builder.WithMetadata(new RequestTimeoutAttribute(BulkTimeoutPolicy));

    private static string? OrganisationOf(HttpContext context) => context.User.FindFirst(ContractClaims.OrganisationId)?.Value;

    private static FixedWindowRateLimiterOptions FixedWindow(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

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
        var who = OrganisationOf(rejected.HttpContext) is null ? "Requests without valid credentials from your address have" : "Your organisation has";
        await TypedResults.Problem(
            string.Create(CultureInfo.InvariantCulture, $"{who} used the requests allowed for this window; retry after {seconds} seconds."),
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests").ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
    }
}
