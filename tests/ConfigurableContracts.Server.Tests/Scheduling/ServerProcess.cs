using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// One real server process (the built ConfigurableContracts.Server.dll beside the tests), configured by environment
/// variables and listening on a free loopback port. Its output is kept for the test log. <see cref="Kill"/> is
/// SIGKILL: the process gets no chance to release a run or finish a transaction, as in a crash.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server with <paramref name="settings"/> (configuration keys in their <c>Section__Key</c> form) on
    /// top of what every test process needs: its own port, the production environment, no hot reload, no bootstrap key.
    /// </summary>
    public static ServerProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "ConfigurableContracts.Server.dll")}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Http__Url"] = url,
            ["Templates__HotReload"] = "false",
            ["Security__Bootstrap__Enabled"] = "false",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server process.");
        var server = new ServerProcess(process, url);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(Url + "/health"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, but too busy starting up to answer within the client's timeout.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Server at {Url} did not become healthy:{Environment.NewLine}{Output}");
    }

    /// <summary>SIGKILL (on Linux and macOS <see cref="Process.Kill(bool)"/> sends it), then waits for the exit.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Kills the process if it still runs, so a failing test leaves no server behind.</summary>
    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already gone.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
