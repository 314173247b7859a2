using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace ConfigurableContracts.Server.Tests.Readme;

/// <summary>
/// Guard: the README's walkthrough runs as written — its bash block, unchanged but for the server's address and
/// key file, against a real server process on a fresh SQLite database with the shipped template.
/// </summary>
public sealed partial class ReadmeWalkthroughTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("readme-walkthrough-");

    public void Dispose() => _directory.Delete(recursive: true);

    [WalkthroughFact]
    public async Task Walkthrough_RunsAsWritten_FromOrganisationsToPaymentStatement()
    {
        var root = RepositoryRoot();
        var script = Walkthrough(File.ReadAllText(Path.Combine(root, "README.md")));
        var keyFile = Path.Combine(_directory.FullName, "admin.key");
        var url = $"http://127.0.0.1:{FreePort()}";
        script = script
            .Replace("API=http://localhost:5080", $"API={url}", StringComparison.Ordinal)
            .Replace("$(cat data/bootstrap-admin.key)", $"$(cat '{keyFile}')", StringComparison.Ordinal);
        using var server = Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "ConfigurableContracts.Server.dll")}\"", root, new Dictionary<string, string>
        {
            ["Database__Provider"] = "Sqlite",
            ["Database__ConnectionString"] = $"Data Source={Path.Combine(_directory.FullName, "contracts.db")}",
            ["Kestrel__Endpoints__Http__Url"] = url,
            ["Security__Bootstrap__KeyFile"] = keyFile,
            ["Templates__HotReload"] = "false",
            ["Scheduler__CatchUpOnStart"] = "false",
        });
        try
        {
            await WaitUntilHealthyAsync(url, server);
            using var walkthrough = Start("bash", "-euo pipefail -s", root, []);
            await walkthrough.StandardInput.WriteAsync(script);
            walkthrough.StandardInput.Close();
            var output = await walkthrough.StandardOutput.ReadToEndAsync();
            var error = await walkthrough.StandardError.ReadToEndAsync();
            await walkthrough.WaitForExitAsync();

            Assert.True(walkthrough.ExitCode == 0, $"exit {walkthrough.ExitCode}{Environment.NewLine}{output}{Environment.NewLine}{error}");
            Assert.Contains("\"active\"", output, StringComparison.Ordinal);
            Assert.Contains("\"accepted\": 10", output, StringComparison.Ordinal);
            Assert.Contains("\"status\": \"succeeded\"", output, StringComparison.Ordinal);
            Assert.Contains("\"outcome\": \"BrokeNegativeDevelopment\"", output, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^true$", output); // the replay is identical
            Assert.Contains("\"release\": \"pending\"", output, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    /// <summary>The first bash block under the README's walkthrough heading.</summary>
    internal static string Walkthrough(string readme)
    {
        var match = WalkthroughBlock().Match(readme);
        Assert.True(match.Success, "README.md has no '## Walkthrough' section with a bash block.");
        return match.Groups["script"].Value;
    }

    private static Process Start(string fileName, string arguments, string workingDirectory, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = fileName == "bash",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        if (fileName != "bash")
        {
            // The server's log is not needed unless it fails to start; drain it so the pipe never fills.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        return process;
    }

    private static async Task WaitUntilHealthyAsync(string url, Process server)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 0; attempt < 240 && !server.HasExited; attempt++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(url + "/health"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The server at {url} did not become healthy.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ConfigurableContracts.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (ConfigurableContracts.sln) was not found above the test binaries.");
    }

    [GeneratedRegex(@"^## Walkthrough.*?^```bash\n(?<script>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex WalkthroughBlock();
}

/// <summary>
/// Runs where the walkthrough's tools (bash, curl, jq) are on PATH, and always in CI (<c>CI=true</c>), where
/// .ci/run installs them; elsewhere it is skipped with the reason, so <c>dotnet test</c> works with the SDK alone.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WalkthroughFactAttribute : FactAttribute
{
    private static readonly string[] Tools = ["bash", "curl", "jq"];

    public WalkthroughFactAttribute()
    {
        var missing = Tools.Where(tool => !OnPath(tool)).ToList();
        if (missing.Count > 0 && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"The README walkthrough needs {string.Join(", ", missing)} on PATH (CI installs them).";
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, tool)));
}
