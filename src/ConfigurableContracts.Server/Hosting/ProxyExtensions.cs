using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Hosting;

/// <summary>The reverse proxies in front of the server. Bound from the <c>Hosting</c> section.</summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Hosting";

    /// <summary>
    /// Addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/24</c>) of the reverse proxies whose
    /// <c>X-Forwarded-For</c> is believed. Empty, the default: the header is ignored, and every caller behind a proxy
    /// has the proxy's address.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>Refuses to start on a trusted proxy that is neither an address nor a network, quoting it.</summary>
public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.TrustedProxies
            .Where(entry => !IPAddress.TryParse(entry, out _) && !IPNetwork.TryParse(entry, out _))
            .Select(entry => $"Hosting:TrustedProxies '{entry}' is neither an IP address (10.0.0.5) nor a network in CIDR notation (10.0.0.0/24).")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Takes the caller's address from <c>X-Forwarded-For</c> when, and only when, the request came from a configured
/// trusted proxy, so the per-address rate limit counts callers rather than the proxy. Anyone else's header is
/// ignored: believing it from everyone would let a key guesser pick a fresh address for every try.
/// </summary>
public static class ProxyExtensions
{
    public static WebApplicationBuilder AddProxies(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // Walk back through every trusted proxy in a chain; the first address not trusted is the caller.
            forwarded.ForwardLimit = null;
            // The defaults trust loopback; only what is configured is trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var entry in proxies.Value.TrustedProxies)
            {
                if (IPAddress.TryParse(entry, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
                else
                {
                    forwarded.KnownIPNetworks.Add(IPNetwork.Parse(entry));
                }
            }
        });
        return builder;
    }

    public static WebApplication UseProxies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
