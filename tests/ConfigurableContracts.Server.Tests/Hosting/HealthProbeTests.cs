using System.Net;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Hosting;

/// <summary>
/// Health probes are never rate limited: an orchestrator probing often, from one address, without credentials, is
/// exactly the caller the per-address limit throttles, and a 429 would read as a dead server.
/// </summary>
public sealed class HealthProbeTests : IDisposable
{
    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Limits:RateLimitPermitsPerAddress"] = "3",
    });

    [Fact]
    public async Task Health_AnswersEveryProbe_WhileOtherAnonymousRequestsAreThrottled()
    {
        using var client = _server.CreateClient();

        var probes = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/health");
            probes.Add(response.StatusCode);
        }

        var others = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/api/organisations");
            others.Add(response.StatusCode);
        }

        Assert.All(probes, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], others);
    }

    [Fact]
    public void EveryHealthEndpoint_IsExemptFromRateLimiting()
    {
        // Liveness and readiness alike: any endpoint under /health, however many are mapped.
        var health = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("health", StringComparison.OrdinalIgnoreCase) == true)
            .ToList();

        Assert.NotEmpty(health);
        Assert.All(health, e => Assert.NotNull(e.Metadata.GetMetadata<DisableRateLimitingAttribute>()));
    }

    public void Dispose() => _server.Dispose();
}
