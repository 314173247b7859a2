using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Limits;
using ConfigurableContracts.Server.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>
/// Each limit of <see cref="LimitOptions"/> as a client meets it: 413 for a body too large (declared or chunked,
/// JSON or JSON Lines), 400 with the JSON path for nesting too deep and duplicate keys; the validator. Small
/// limits, so the test bodies stay small.
/// </summary>
public sealed class LimitTests : IAsyncLifetime
{
    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Limits:MaxRequestBodyBytes"] = "4096",
        ["Limits:MaxBulkRequestBodyBytes"] = "65536",
        ["Limits:MaxJsonDepth"] = "8",
    });

    private ContractScenario _scenario = null!;
    private string _contractId = "";

    public async Task InitializeAsync()
    {
        _scenario = await ContractScenario.CreateAsync(_server);
        _contractId = (await _scenario.ContractAsync()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task JsonBody_LargerThanTheLimit_Is413ProblemDetails()
    {
        var record = new { pseudonym = "HV-0001", enrolmentDate = "2022-01-10", schoolYear = 7, notes = new string('x', 5000) };

        using var response = await _scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{_contractId}/participants", record);

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("4096 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedJsonBody_LargerThanTheLimit_Is413ProblemDetails()
    {
        // No Content-Length: the limit is found while reading, not up front.
        var body = Encoding.UTF8.GetBytes($$"""{"pseudonym":"HV-0002","enrolmentDate":"2022-01-10","schoolYear":7,"notes":"{{new string('x', 5000)}}"}""");
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{_contractId}/participants") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _scenario.ProviderA.Client.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task BulkBody_TakesTheBulkLimit_NotTheOrdinaryOne()
    {
        var lines = Enumerable.Range(0, 120).Select(i => $$"""{"pseudonym":"HV-B{{i:D3}}","enrolmentDate":"2022-01-10","schoolYear":7}""").ToList();
        var tooMany = Enumerable.Range(0, 1200).Select(i => $$"""{"pseudonym":"HV-C{{i:D4}}","enrolmentDate":"2022-01-10","schoolYear":7}""").ToList();

        using var accepted = await _scenario.ProviderA.Client.PostAsync($"/api/contracts/{_contractId}/participants:bulk", ContractScenario.JsonLines(lines));
        using var refused = await _scenario.ProviderA.Client.PostAsync($"/api/contracts/{_contractId}/participants:bulk", ContractScenario.JsonLines(tooMany));

        Assert.True(string.Join('\n', lines).Length > 4096);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(120, (await ContractScenario.Json(accepted)).GetProperty("accepted").GetInt32());
        var problem = await ProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("65536 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonBody_NestedTooDeep_Is400WithTheJsonPath()
    {
        using var content = new StringContent("""{"pseudonym":"HV-0003","notes":[[[[[[[[[["deep"]]]]]]]]]]}""", Encoding.UTF8, "application/json");

        using var response = await _scenario.ProviderA.Client.PostAsync($"/api/contracts/{_contractId}/participants", content);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.Equal("$.notes[0][0][0][0][0][0][0]", error.Name);
        Assert.Contains("deeper than 8 levels", error.Value[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonBody_WithADuplicateKey_Is400AtThatKey()
    {
        using var content = new StringContent("""{"pseudonym":"HV-0004","enrolmentDate":"2022-01-10","schoolYear":7,"pseudonym":"HV-0005"}""", Encoding.UTF8, "application/json");

        using var response = await _scenario.ProviderA.Client.PostAsync($"/api/contracts/{_contractId}/participants", content);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["$.pseudonym"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task JsonBody_WithALoneEscapedSurrogate_Is400AtItsPath()
    {
        // Well-formed JSON that no string can hold; it once reached the identity-number scan and ended in a 500.
        using var content = new StringContent("""{"pseudonym":"HV-0006","enrolmentDate":"2022-01-10","schoolYear":7,"notes":"\ud800"}""", Encoding.UTF8, "application/json");

        using var response = await _scenario.ProviderA.Client.PostAsync($"/api/contracts/{_contractId}/participants", content);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["$.notes"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task BulkLines_TooDeepOrWithDuplicateKeys_AreRejectedAtTheirPaths_AndTheOthersKept()
    {
        string[] lines =
        [
            """{"pseudonym":"HV-D001","enrolmentDate":"2022-01-10","schoolYear":7}""",
            """{"pseudonym":"HV-D002","enrolmentDate":"2022-01-10","schoolYear":7,"notes":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{}}}}}}}}}""",
            """{"pseudonym":"HV-D003","enrolmentDate":"2022-01-10","schoolYear":7,"schoolYear":8}""",
        ];

        using var response = await _scenario.ProviderA.Client.PostAsync($"/api/contracts/{_contractId}/participants:bulk", ContractScenario.JsonLines(lines));

        var result = await ContractScenario.Json(response);
        var byLine = result.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("line").GetInt32());
        Assert.Equal("accepted", byLine[1].GetProperty("status").GetString());
        Assert.Equal("$.notes.a.b.c.d.e.f.g", byLine[2].GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal("$.schoolYear", byLine[3].GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public void Validator_ReportsEveryBadLimit_QuotingItsValue()
    {
        var options = new LimitOptions
        {
            MaxRequestBodyBytes = 10,
            MaxBulkRequestBodyBytes = 5,
            MaxJsonDepth = 1000,
            RequestTimeout = TimeSpan.Zero,
            BulkRequestTimeout = TimeSpan.FromDays(1),
            RateLimitPermits = 0,
            RateLimitPermitsPerAddress = -1,
            RateLimitWindow = TimeSpan.FromMilliseconds(10),
        };

        var result = new LimitOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(8, failures.Count);
        Assert.Contains(failures, f => f.Contains("Limits:MaxRequestBodyBytes '10'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:MaxBulkRequestBodyBytes '5'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:MaxJsonDepth '1000'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:RequestTimeout '00:00:00'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:BulkRequestTimeout '1.00:00:00'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:RateLimitPermits '0'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:RateLimitPermitsPerAddress '-1'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Limits:RateLimitWindow '00:00:00.0100000'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_AcceptsTheDefaults() => Assert.True(new LimitOptionsValidator().Validate(null, new LimitOptions()).Succeeded);

    [Fact]
    public void Server_RefusesToStart_WithABadLimit()
    {
        using var server = ServerFactory.WithSettings(new Dictionary<string, string?> { ["Limits:MaxJsonDepth"] = "2" });

        var error = Assert.ThrowsAny<Exception>(() => server.Services);

        Assert.Contains("Limits:MaxJsonDepth '2'", error.ToString(), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _server.DisposeAsync();
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ContractScenario.Json(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}

/// <summary>The rate limit counts per organisation: one organisation's burst leaves another's requests alone.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Limits:RateLimitPermits"] = "6",
        ["Limits:RateLimitWindow"] = "01:00:00",
    });

    private TestCaller _busy = null!;
    private TestCaller _other = null!;

    public async Task InitializeAsync()
    {
        // Two organisations made with two admin requests each: four of the admin's six.
        _busy = await _server.CallerAsync(Roles.Provider, "busy");
        _other = await _server.CallerAsync(Roles.Provider, "other");
    }

    [Fact]
    public async Task Organisation_OverItsBudget_Gets429WithRetryAfter_WhileAnotherIsServed()
    {
        for (var i = 0; i < 6; i++)
        {
            using var allowed = await _busy.Client.GetAsync("/api/me");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await _busy.Client.GetAsync("/api/me");
        using var other = await _other.Client.GetAsync("/api/me");

        var problem = await LimitTests.ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Contains("retry after", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _busy.Dispose();
        _other.Dispose();
        await _server.DisposeAsync();
    }
}

/// <summary>
/// Requests without valid credentials count against their remote address, before the audit and the 401: key
/// guessing meets a 429 after <see cref="LimitOptions.RateLimitPermitsPerAddress"/> tries and cannot grow the
/// audit log without bound, while callers with valid keys keep their organisation's budget.
/// </summary>
public sealed class UnauthenticatedRateLimitTests : IAsyncLifetime
{
    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Limits:RateLimitPermits"] = "20",
        ["Limits:RateLimitPermitsPerAddress"] = "3",
        ["Limits:RateLimitWindow"] = "01:00:00",
    });

    private TestCaller _provider = null!;

    // Made by the admin with a valid key: counted against the platform organisation, not the address.
    public async Task InitializeAsync() => _provider = await _server.CallerAsync(Roles.Provider, "valid");

    [Fact]
    public async Task WrongKeys_Get429WithRetryAfter_AfterTheAddressBudget_WhileAValidKeyIsServed()
    {
        using var guesser = _server.ClientWithKey("cc_not-a-real-key");
        for (var i = 0; i < 3; i++)
        {
            using var refused = await guesser.GetAsync("/api/me");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var limited = await guesser.GetAsync("/api/me");
        using var valid = await _provider.Client.GetAsync("/api/me");

        var problem = await LimitTests.ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Contains("without valid credentials", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task MissingAndWrongCredentials_ShareTheAddressBudget_AndOnlyTheRefusalsWithinItAreAudited()
    {
        using var anonymous = _server.CreateClient();
        using var guesser = _server.ClientWithKey("cc_not-a-real-key");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await (i % 2 == 0 ? anonymous : guesser).PostAsJsonAsync("/api/organisations", new { id = $"guess-{i}", name = "guess" });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            statuses);
        var log = _server.Services.GetRequiredService<ConfigurableContracts.Core.Audit.AuditLog>();
        var entries = await log.QueryAsync(new ConfigurableContracts.Core.Audit.AuditQuery(Limit: 1000));
        Assert.Equal(3, entries.Count(e => e.Outcome == "unauthenticated"));
    }

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        await _server.DisposeAsync();
    }
}

/// <summary>
/// A request that takes longer than <see cref="LimitOptions.RequestTimeout"/> is stopped with a 504 ProblemDetails.
/// Over a real socket: the in-process test host only answers once the request body is complete, and the slow
/// client here never completes it.
/// </summary>
public sealed class RequestTimeoutTests : IAsyncLifetime
{
    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?> { ["Limits:RequestTimeout"] = "00:00:01" });
    private TestCaller _provider = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _server.UseKestrel(0);
        _server.StartServer();
        _address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _provider = await _server.CallerAsync(Roles.Provider, "slow");
    }

    [Fact]
    public async Task RequestWhoseBodyNeverArrives_Is504ProblemDetails_AfterTheTimeout()
    {
        var key = _provider.Client.DefaultRequestHeaders.GetValues(ApiKeyAuthenticationHandler.HeaderName).Single();
        using var socket = new TcpClient();
        await socket.ConnectAsync(_address.Host, _address.Port);
        var stream = socket.GetStream();
        var head = $"POST /api/contracts/no-such-contract/participants HTTP/1.1\r\nHost: {_address.Authority}\r\n{ApiKeyAuthenticationHandler.HeaderName}: {key}\r\n" +
            "Content-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"id\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // The rest of the body is never sent. After its answer the server drops the connection, possibly with a
        // reset, so the answer is collected as it arrives rather than read to a clean end.
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) is > 0 and var read)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (IOException) when (answer.Length > 0)
        {
        }

        var text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 504", text, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", text, StringComparison.Ordinal);
        Assert.Contains("took longer than 00:00:01", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        await _server.DisposeAsync();
    }
}
