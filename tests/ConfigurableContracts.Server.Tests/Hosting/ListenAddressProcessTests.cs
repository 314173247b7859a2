using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConfigurableContracts.Server.Tests.Hosting;

/// <summary>
/// The real server process started the ways an ASP.NET Core operator expects to move it: <c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>. Each must win over the default <c>Urls</c> of
/// <c>appsettings.json</c>, which the process reads as in production (it finds the repository's file).
/// </summary>
public sealed class ListenAddressProcessTests
{
    public static TheoryData<string> Ways => ["--urls", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS"];

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task Server_AnswersHealth_OnThePortItWasGiven(string way)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var database = Path.Combine(Path.GetTempPath(), $"cc_listen_{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConfigurableContracts.Server.dll"));
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "URLS", "Kestrel__Endpoints__Http__Url" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["Database__ConnectionString"] = $"Data Source={database};Pooling=false";
        start.Environment["Templates__HotReload"] = "false";
        start.Environment["Security__Bootstrap__Enabled"] = "false";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        switch (way)
        {
            case "--urls":
                start.ArgumentList.Add("--urls");
                start.ArgumentList.Add(url);
                break;
            case "ASPNETCORE_URLS":
                start.Environment["ASPNETCORE_URLS"] = url;
                break;
            default:
                start.Environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var status = await HealthStatusAsync(process, new Uri(url + "/health"), TimeSpan.FromSeconds(90));

            Assert.True(status == HttpStatusCode.OK, $"GET {url}/health answered {status}:{Environment.NewLine}{Text(output)}");
            Assert.DoesNotContain("localhost:5080", Text(output), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            SqliteFiles.Delete(database);
        }
    }

    /// <summary>The first answer of /health, polling while the server starts; null if it never answers.</summary>
    private static async Task<HttpStatusCode?> HealthStatusAsync(Process process, Uri health, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(health);
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, but still starting up.
            }

            await Task.Delay(250);
        }

        return null;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
