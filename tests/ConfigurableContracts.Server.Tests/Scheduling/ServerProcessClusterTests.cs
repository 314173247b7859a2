using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ConfigurableContracts.Core.Evaluations;
using Dapper;
using Npgsql;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// The cluster for real: two server processes on one fresh PostgreSQL database. Each nightly trigger runs once
/// across both; the process running a contract is killed (SIGKILL, no chance to clean up) mid-run, and the other
/// one recovers that night's run and finishes it. The run is held open from outside, by a table lock the test
/// keeps on <c>participants</c>, so the server code under test is the production code unchanged.
/// </summary>
public sealed class ServerProcessClusterTests(ITestOutputHelper output)
{
    [PostgreSqlFact]
    public async Task KilledServer_RunIsRecoveredByTheOtherServer_AndEachNightRunsOnce()
    {
        await using var database = await ClusterDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        var firstNight = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(60);
        var secondNight = firstNight.AddSeconds(15);
        await database.SeedAsync("c-1", CronAt(firstNight));
        await database.SeedAsync("c-2", CronAt(firstNight));
        await database.SeedAsync("c-slow", CronAt(secondNight));
        var servers = new Dictionary<string, ServerProcess>
        {
            ["node-a"] = ServerProcess.Start("node-a", database.ConnectionString),
            ["node-b"] = ServerProcess.Start("node-b", database.ConnectionString),
        };
        try
        {
            await Task.WhenAll(servers.Values.Select(s => s.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90))));
            Assert.True(DateTimeOffset.UtcNow < firstNight.AddSeconds(-2), $"Start-up took until {DateTimeOffset.UtcNow:O}, past the planned first night {firstNight:O}.");
            var firstRuns = await database.WaitForRunsAsync(r => r.Status == RunStatus.Succeeded, 2, TimeSpan.FromSeconds(90));

            // Hold the second night's evaluation open: its first read of participants waits on this lock.
            await using var blocker = new NpgsqlConnection(database.ConnectionString);
            await blocker.OpenAsync();
            await using var hold = await blocker.BeginTransactionAsync();
            await blocker.ExecuteAsync("LOCK TABLE participants IN ACCESS EXCLUSIVE MODE", transaction: hold);
            var cutOff = Assert.Single(await database.WaitForRunsAsync(r => r.ContractId == "c-slow" && r.Status == RunStatus.Running, 1, TimeSpan.FromSeconds(60)));
            var holder = cutOff.InstanceId!;
            var survivor = holder == "node-a" ? "node-b" : "node-a";
            output.WriteLine($"c-slow is running on {holder}; killing it.");
            servers[holder].Kill();
            await hold.RollbackAsync();

            var recovered = await database.WaitForRunsAsync(r => r.ContractId == "c-slow" && r.Status == RunStatus.Succeeded, 1, TimeSpan.FromSeconds(120));
            var all = await database.AllRunsAsync();

            Assert.Equal(["c-1", "c-2"], firstRuns.Select(r => r.ContractId).Order());
            Assert.All(firstRuns, r => Assert.Equal(firstNight, r.ScheduledFor));
            Assert.Equal(3, all.Count);
            var slow = Assert.Single(recovered);
            Assert.Equal(cutOff.Id, slow.Id);
            Assert.Equal(secondNight, slow.ScheduledFor);
            Assert.Equal(RunTrigger.Schedule, slow.Trigger);
            Assert.Equal(survivor, slow.InstanceId);
            Assert.Equal(2, slow.Attempt);
        }
        finally
        {
            foreach (var (name, server) in servers)
            {
                server.Kill();
                output.WriteLine($"---- {name} output ----{Environment.NewLine}{server.Output}");
                server.Dispose();
            }
        }
    }

    private static string CronAt(DateTimeOffset instant) =>
        string.Create(CultureInfo.InvariantCulture, $"{instant.Second} {instant.Minute} {instant.Hour} * * ?");

    /// <summary>One server process (the built ConfigurableContracts.Server.dll), configured by environment.</summary>
    private sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly string _url;

        private ServerProcess(Process process, string url)
        {
            _process = process;
            _url = url;
        }

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

        public static ServerProcess Start(string instanceId, string connectionString)
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            var start = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "ConfigurableContracts.Server.dll")}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var settings = new Dictionary<string, string>
            {
                ["Database__Provider"] = "PostgreSql",
                ["Database__ConnectionString"] = connectionString,
                ["Kestrel__Endpoints__Http__Url"] = url,
                ["Scheduler__InstanceId"] = instanceId,
                ["Scheduler__TimeZone"] = "UTC",
                ["Scheduler__CatchUpOnStart"] = "false",
                ["Scheduler__ClusterCheckinInterval"] = "00:00:01",
                ["Scheduler__ClusterCheckinMisfireThreshold"] = "00:00:03",
                ["Scheduler__ProgressInterval"] = "00:00:01",
                ["Scheduler__LeaseDuration"] = "00:00:05",
                ["Templates__HotReload"] = "false",
                ["Security__Bootstrap__Enabled"] = "false",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            };
            foreach (var (key, value) in settings)
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
                    using var response = await client.GetAsync(new Uri(_url + "/health"));
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

            throw new TimeoutException($"Server at {_url} did not become healthy:{Environment.NewLine}{Output}");
        }

        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }

        public void Dispose() => _process.Dispose();

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
}
