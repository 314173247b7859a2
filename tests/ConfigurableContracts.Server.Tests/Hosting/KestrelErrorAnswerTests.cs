using System.Net.Sockets;
using System.Text;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Hosting;

/// <summary>
/// Malformed HTTP over a real socket, where Kestrel itself parses it. What Kestrel refuses while reading the request
/// line and headers never reaches the application, so it cannot be a ProblemDetails: those answers are pinned here
/// exactly as docs/operations.md lists them (status, empty body, connection closed), so the document fails with the
/// code if Kestrel ever changes. A body that turns out malformed while an endpoint reads it is the pipeline's, and is
/// a ProblemDetails like every other error.
/// </summary>
public sealed class KestrelErrorAnswerTests : IAsyncLifetime, IDisposable
{
    private readonly ServerFactory _server = new();
    private Uri _address = null!;
    private string _adminKey = "";

    public Task InitializeAsync()
    {
        _server.UseKestrel(0);
        _server.StartServer();
        _address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _adminKey = _server.AdminKey;
        return Task.CompletedTask;
    }

    public static TheoryData<string, string, int> BeforeThePipeline => new()
    {
        // Kestrel's MaxRequestHeadersTotalSize (32 KiB).
        { "headers too large", "GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: " + new string('a', 40 * 1024) + "\r\n\r\n", 431 },
        // Kestrel's MaxRequestHeaderCount (100).
        { "too many headers", "GET /health HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 120).Select(i => $"X-H{i}: 1\r\n")) + "\r\n", 431 },
        // Kestrel's MaxRequestLineSize (8 KiB).
        { "request line too long", "GET /health?" + new string('a', 10 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
        { "NUL in a header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Purpose: a\u0000b\r\n\r\n", 400 },
        { "non-ASCII in a header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: a\u00ffb\r\n\r\n", 400 },
        // X-Purpose is read as UTF-8; a byte that is not UTF-8 is still refused.
        { "invalid UTF-8 in X-Purpose", "GET /health HTTP/1.1\r\nHost: x\r\nX-Purpose: a\u00ffb\r\n\r\n", 400 },
        { "space in a header name", "GET /health HTTP/1.1\r\nHost: x\r\nX Purpose: ab\r\n\r\n", 400 },
        { "bare LF in a header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Purpose: a\nb\r\n\r\n", 400 },
        { "malformed request line", "GET  /health HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400 },
        { "no Host header", "GET /health HTTP/1.1\r\n\r\n", 400 },
        { "unknown HTTP version", "GET /health HTTP/1.7\r\nHost: x\r\n\r\n", 505 },
    };

    [Theory]
    [MemberData(nameof(BeforeThePipeline))]
    public async Task KestrelRefusal_BeforeThePipeline_IsAnEmptyAnswer(string what, string request, int status)
    {
        var answer = await SendAsync(request);

        Assert.True(answer.StartsWith($"HTTP/1.1 {status} ", StringComparison.Ordinal), $"{what}: {answer}");
        Assert.Contains("Content-Length: 0", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("problem+json", answer, StringComparison.Ordinal);
    }

    /// <summary>Kestrel lets other control bytes (0x01-0x1F but tab, CR and LF; DEL) through: the application refuses them.</summary>
    [Theory]
    [InlineData('\u0001')]
    [InlineData('\u007f')]
    public async Task ControlByteInPurpose_ReachesThePipeline_AndIsProblemDetails(char control)
    {
        var request = $"GET /api/organisations HTTP/1.1\r\nHost: x\r\n{ApiKeyAuthenticationHandler.HeaderName}: {_adminKey}\r\n" +
            $"X-Purpose: follow-up{control}review\r\nConnection: close\r\n\r\n";

        var answer = await SendAsync(request);

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("\"X-Purpose\"", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwedishPurpose_InUtf8_IsAccepted()
    {
        // "uppföljning" as its UTF-8 bytes (ö is C3 B6), written through Latin1 by SendAsync.
        var purpose = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("uppföljning av insatser"));
        var request = $"GET /api/organisations HTTP/1.1\r\nHost: x\r\n{ApiKeyAuthenticationHandler.HeaderName}: {_adminKey}\r\n" +
            $"X-Purpose: {purpose}\r\nConnection: close\r\n\r\n";

        var answer = await SendAsync(request);

        Assert.StartsWith("HTTP/1.1 200 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedChunkedBody_ReadByAnEndpoint_IsProblemDetails()
    {
        var request = "POST /api/organisations HTTP/1.1\r\nHost: x\r\n" + $"{ApiKeyAuthenticationHandler.HeaderName}: {_adminKey}\r\n" +
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"id\"\r\nzz\r\n";

        var answer = await SendAsync(request);

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("\"traceId\"", answer, StringComparison.Ordinal);
    }

    /// <summary>Sends raw bytes and collects the answer until the server closes or goes quiet.</summary>
    private async Task<string> SendAsync(string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(_address.Host, _address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) is > 0 and var read)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException && answer.Length > 0)
        {
            // The server may reset the connection after its answer, or keep it open: what arrived is the answer.
        }

        return answer.ToString();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _server.Dispose();
}
