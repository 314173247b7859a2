using System.Net;
using ConfigurableContracts.Server.Hosting;
using ConfigurableContracts.Server.Security;
using ConfigurableContracts.Server.Tests.Scheduling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>
/// The per-address rate limit behind a reverse proxy, over real sockets (the in-memory test server has no remote
/// address): <c>X-Forwarded-For</c> names the caller only when the request comes from a configured trusted proxy;
/// from anyone else it is ignored, or a key guesser would name a fresh address for every try.
/// </summary>
public sealed class ProxyAddressTests : IDisposable
{
    private const int Permits = 5;

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"cc_proxy_{Guid.NewGuid():N}.db");

    [Fact]
    public async Task CallersBehindATrustedProxy_EachHaveTheirOwnBudget()
    {
        using var server = await StartAsync(trustedProxy: "127.0.0.1", _database);

        var first = await GuessUntilLimitedAsync(server, "203.0.113.7");
        var second = await GuessOnceAsync(server, "203.0.113.8");

        // Only the guesser's own requests counted: the health checks came from the proxy's address itself.
        Assert.Equal(Permits, first);
        Assert.Equal(HttpStatusCode.Unauthorized, second);
    }

    [Fact]
    public async Task ForwardedAddresses_FromAnUntrustedSender_AreIgnored()
    {
        using var server = await StartAsync(trustedProxy: "10.9.9.0/24", _database);

        await GuessUntilLimitedAsync(server, "203.0.113.7");
        var second = await GuessOnceAsync(server, "203.0.113.8");

        Assert.Equal(HttpStatusCode.TooManyRequests, second);
    }

    [Theory]
    [InlineData("proxy.example")]
    [InlineData("10.0.0.0/33")]
    public void Startup_Fails_QuotingATrustedProxy_ThatIsNeitherAnAddressNorANetwork(string entry)
    {
        var result = new ProxyOptionsValidator().Validate(null, new ProxyOptions { TrustedProxies = ["10.0.0.5", "fd00::/8", entry] });

        var failure = Assert.Single(result.Failures ?? []);
        Assert.Contains($"Hosting:TrustedProxies '{entry}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_RefusesToStart_WithABadTrustedProxy()
    {
        using var server = ServerFactory.WithSettings(new Dictionary<string, string?> { ["Hosting:TrustedProxies:0"] = "proxy.example" });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.Services);

        Assert.Contains("Hosting:TrustedProxies 'proxy.example'", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        SqliteFiles.Delete(_database);
    }

    private static async Task<ServerProcess> StartAsync(string trustedProxy, string file)
    {
        var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Database__Provider"] = "Sqlite",
            ["Database__ConnectionString"] = new SqliteConnectionStringBuilder { DataSource = file }.ToString(),
            ["Hosting__TrustedProxies__0"] = trustedProxy,
            ["Limits__RateLimitPermitsPerAddress"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits__RateLimitWindow"] = "01:00:00",
        });
        try
        {
            await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Sends wrong keys as <paramref name="caller"/> until one is refused with 429; returns the 401s before it.</summary>
    private static async Task<int> GuessUntilLimitedAsync(ServerProcess server, string caller)
    {
        for (var refused = 0; refused <= 200; refused++)
        {
            if (await GuessOnceAsync(server, caller) == HttpStatusCode.TooManyRequests)
            {
                return refused;
            }
        }

        throw new InvalidOperationException($"{caller} was never rate-limited.");
    }

    private static async Task<HttpStatusCode> GuessOnceAsync(ServerProcess server, string caller)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url + "/api/me"));
        request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, "cc_not-a-real-key");
        request.Headers.Add("X-Forwarded-For", caller);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
