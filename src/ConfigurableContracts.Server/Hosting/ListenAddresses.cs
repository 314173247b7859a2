using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration.Json;

namespace ConfigurableContracts.Server.Hosting;

/// <summary>
/// Where the server listens, by the ASP.NET Core conventions operators expect: <c>--urls</c>,
/// <c>ASPNETCORE_URLS</c> (or <c>DOTNET_URLS</c>, <c>URLS</c>) and <c>ASPNETCORE_HTTP_PORTS</c>/<c>ASPNETCORE_HTTPS_PORTS</c>
/// all win over the default <c>Urls</c> in <c>appsettings.json</c> (<c>http://localhost:5080</c>).
/// </summary>
/// <remarks>
/// Two things stop the conventions from working on their own. <c>Kestrel:Endpoints</c> in a settings file overrides
/// every one of them ("Overriding address(es)…"), which is why the default is <c>Urls</c>, not an endpoint. And
/// <see cref="WebApplication.CreateBuilder(WebApplicationOptions)"/> reads the <c>ASPNETCORE_</c> variables
/// <em>before</em> <c>appsettings.json</c>, so the file's <c>Urls</c> would silently beat <c>ASPNETCORE_URLS</c>, and
/// any <c>urls</c> beats <c>HTTP_PORTS</c>. So a value from anywhere but a settings file (environment, command line,
/// a test's in-memory settings) is applied last here, and a port given that way clears the file's default.
/// <c>Kestrel:Endpoints</c> set by the operator still wins over all of them, as in any ASP.NET Core server.
/// </remarks>
public static class ListenAddresses
{
    public static WebApplicationBuilder UseConventionalAddresses(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (FromOutsideSettingsFiles(builder.Configuration) is { } urls)
        {
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, urls);
        }

        return builder;
    }

    /// <summary>
    /// The addresses named by the highest-precedence source that is not a settings file: its <c>urls</c>, or else
    /// its ports as Kestrel reads them (<c>http://*:PORT</c>); null when no such source names either.
    /// </summary>
    /// <remarks>
    /// Ports are spelt out as urls rather than left for Kestrel to read, because Kestrel reads them only when no
    /// urls are set at all, and an emptied <c>urls</c> falls back to the host's settings, i.e. the file's default.
    /// </remarks>
    internal static string? FromOutsideSettingsFiles(IConfigurationRoot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var outside = configuration.Providers.Reverse().Where(p => p is not JsonConfigurationProvider).ToList();
        if (First(outside, WebHostDefaults.ServerUrlsKey) is { } urls)
        {
            return urls;
        }

        var ports = Ports(First(outside, WebHostDefaults.HttpPortsKey), "http").Concat(Ports(First(outside, WebHostDefaults.HttpsPortsKey), "https")).ToList();
        return ports.Count == 0 ? null : string.Join(';', ports);
    }

    private static string? First(IEnumerable<IConfigurationProvider> providers, string key) =>
        providers.Select(p => p.TryGet(key, out var value) ? value : null).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static IEnumerable<string> Ports(string? ports, string scheme) =>
        (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"{scheme}://*:{port}");
}
