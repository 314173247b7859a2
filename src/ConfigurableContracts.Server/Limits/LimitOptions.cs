using System.Globalization;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Limits;

/// <summary>
/// How much one request may ask of the server: body sizes, JSON nesting, time, and requests per organisation
/// (or, without valid credentials, per remote address).
/// Bound from the <c>Limits</c> section. The defaults admit the documented largest use — 100 000 measurements
/// (some 25 MB of JSON Lines) in one bulk upload — and refuse what no real client sends.
/// </summary>
public sealed class LimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>Largest body of an ordinary JSON endpoint (one contract, participant, measurement, review, key).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest body of a JSON Lines bulk endpoint.</summary>
    public long MaxBulkRequestBodyBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Deepest nesting of objects and arrays in a JSON body or bulk line. Templates' documents are a few levels
    /// deep; the limit stops a body of a million brackets from costing a million stack frames anywhere.
    /// </summary>
    public int MaxJsonDepth { get; set; } = 32;

    /// <summary>How long an ordinary request may take, body upload included, before it is cut off with 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a bulk upload may take: 100 000 measurements take seconds on SQLite, but uploading 256 MB over a
    /// slow municipal line can take minutes, so bulk endpoints get their own, longer timeout.
    /// </summary>
    public TimeSpan BulkRequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests one organisation (all its keys and tokens together) may make per window.</summary>
    public int RateLimitPermits { get; set; } = 1200;

    /// <summary>
    /// Requests one remote address may make per window without valid credentials: missing, wrong, revoked or
    /// expired keys and tokens, and the OpenAPI document (health probes are never limited). Far below the organisation budget,
    /// because a real client rarely fails to sign in and every refusal costs a key lookup and an audit entry.
    /// </summary>
    public int RateLimitPermitsPerAddress { get; set; } = 120;

    /// <summary>The fixed window the permits are counted in.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Reports every bad limit, quoting the value, so a typo in a deployment fails at start, not under load.</summary>
public sealed class LimitOptionsValidator : IValidateOptions<LimitOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add($"Limits:MaxRequestBodyBytes '{Invariant(options.MaxRequestBodyBytes)}' must be at least 1024.");
        }

        if (options.MaxBulkRequestBodyBytes < options.MaxRequestBodyBytes)
        {
            failures.Add($"Limits:MaxBulkRequestBodyBytes '{Invariant(options.MaxBulkRequestBodyBytes)}' must be at least Limits:MaxRequestBodyBytes ('{Invariant(options.MaxRequestBodyBytes)}').");
        }

        if (options.MaxJsonDepth is < 4 or > 256)
        {
            failures.Add($"Limits:MaxJsonDepth '{Invariant(options.MaxJsonDepth)}' must be between 4 and 256.");
        }

        if (options.RequestTimeout < TimeSpan.FromSeconds(1) || options.RequestTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"Limits:RequestTimeout '{options.RequestTimeout}' must be between 00:00:01 and 01:00:00.");
        }

        if (options.BulkRequestTimeout < options.RequestTimeout || options.BulkRequestTimeout > TimeSpan.FromHours(6))
        {
            failures.Add($"Limits:BulkRequestTimeout '{options.BulkRequestTimeout}' must be at least Limits:RequestTimeout ('{options.RequestTimeout}') and at most 06:00:00.");
        }

        if (options.RateLimitPermits < 1)
        {
            failures.Add($"Limits:RateLimitPermits '{Invariant(options.RateLimitPermits)}' must be at least 1.");
        }

        if (options.RateLimitPermitsPerAddress < 1)
        {
            failures.Add($"Limits:RateLimitPermitsPerAddress '{Invariant(options.RateLimitPermitsPerAddress)}' must be at least 1.");
        }

        if (options.RateLimitWindow < TimeSpan.FromSeconds(1) || options.RateLimitWindow > TimeSpan.FromDays(1))
        {
            failures.Add($"Limits:RateLimitWindow '{options.RateLimitWindow}' must be between 00:00:01 and 1.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
