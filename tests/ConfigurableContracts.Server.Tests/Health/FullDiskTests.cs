using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Health;

/// <summary>
/// The server's SQLite database on a small tmpfs that the test fills to the last byte, served by Kestrel as in
/// production: while the disk is full, writes are answered 503 ProblemDetails with a reason and Retry-After (never an
/// empty 500), <c>/health</c> says writes fail, and a nightly run caught by it does not stay "running"; once space
/// returns, writes succeed, health is back to Healthy, the log was truncated, the run finishes on its own, and
/// <c>contracts audit verify</c> finds the audit chain intact.
/// </summary>
[Collection(Scheduling.KilledProcesses.Name)] // alone: its waits for recovery are on the real clock
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private const long DiskBytes = 48L << 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [TmpfsFact]
    public async Task FullDisk_Answers503AndDegradedHealth_AndEverythingRecovers_WhenSpaceReturns()
    {
        using var disk = TmpfsDisk.Mount(DiskBytes);
        var database = Path.Combine(disk.Path, "contracts.db");
        var evaluation = new HeldEvaluation();
        var settings = new Dictionary<string, string?>
        {
            // Pooled, as in production: open connections keep the log and its index, so reads go on while the disk is full.
            ["Database:ConnectionString"] = $"Data Source={database}",
            ["Scheduler:LeaseDuration"] = "00:00:03",
            ["Scheduler:ProgressInterval"] = "00:00:01",
            ["Scheduler:RetryBackoff"] = "00:00:01",
            ["Scheduler:MaxRetries"] = "2",
            ["Scheduler:RecoveryInterval"] = "00:00:02",
        };
        var server = ServerFactory.WithSettings(settings, services =>
            services.AddSingleton<IContractEvaluation>(provider => evaluation.Around(provider.GetRequiredService<ContractEvaluator>())));
        try
        {
            server.UseKestrel(0);
            server.StartServer();
            using var admin = server.ClientWithKey(server.AdminKey);
            using var probe = server.CreateClient(); // health probes carry no credentials
            await ContractSeeder.AddTinyContractAsync(server.Services.GetRequiredService<DbConnectionFactory>(), "c-full", participants: 40);
            Assert.Equal(HttpStatusCode.Created, (await CreateOrganisationAsync(admin, "before")).StatusCode);

            // A manual run is claimed and its evaluation held, then the disk fills before it writes anything.
            using var started = await admin.PostAsync("/api/contracts/c-full/evaluations", content: null);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await evaluation.Started.WaitAsync(Patience);
            var ballast = disk.Fill();
            output.WriteLine($"ballast {ballast} bytes; {disk.AvailableBytes} bytes left; WAL {WalBytes(database)} bytes");
            evaluation.Release();

            // Writes: each answered 503 with a reason and a Retry-After, whether the write met the disk or the gate.
            for (var i = 0; i < 3; i++)
            {
                using var refused = await CreateOrganisationAsync(admin, $"full-{i}");
                await AssertUnavailableAsync(refused, "disk-full");
            }

            var health = await HealthAsync(probe);
            output.WriteLine($"health while full: {health}");
            Assert.NotEqual("Healthy", health.GetProperty("status").GetString());
            Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("database-writes").GetProperty("status").GetString());
            Assert.Equal("disk-full", health.GetProperty("checks").GetProperty("database-writes").GetProperty("data").GetProperty("reason").GetString());
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live")).StatusCode);

            // The run met the full disk and could not record it: this instance lets its lease lapse rather than hold it
            // (nothing about the run can be written until space returns); the recovery check takes it from there.
            var caught = await WaitForRunAsync(server, runId, run => run.Status != RunStatus.Running || run.LeaseExpiresAt < DateTimeOffset.UtcNow);
            output.WriteLine($"run while full: {RunNames.Of(caught.Status)}, attempt {caught.Attempt}, error '{caught.Error}'");
            var fullWal = WalBytes(database);

            disk.Free();
            var healthy = await WaitForHealthyAsync(probe);
            var recoveredWal = WalBytes(database);
            output.WriteLine($"health after freeing: {healthy}; WAL {fullWal} -> {recoveredWal} bytes");

            using var accepted = await CreateOrganisationAsync(admin, "after");
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            var finished = await WaitForRunAsync(server, runId, run => !run.IsActive);
            output.WriteLine($"run after freeing: {RunNames.Of(finished.Status)}, attempt {finished.Attempt}, error '{finished.Error}'");
            Assert.Equal(RunStatus.Succeeded, finished.Status);
            Assert.Equal(40, finished.ParticipantsDone);
            Assert.True(recoveredWal <= 256 * 1024, $"The log kept {recoveredWal} bytes after space returned (it held {fullWal}).");
        }
        finally
        {
            // What the server said about writes, the log and the run: where CI shows why this test failed.
            foreach (var line in server.LogMessages.Where(m => m.Contains("write", StringComparison.OrdinalIgnoreCase) || m.Contains("log", StringComparison.Ordinal)
                         || m.Contains("run", StringComparison.OrdinalIgnoreCase)).TakeLast(40))
            {
                output.WriteLine($"server: {line}");
            }

            evaluation.Release();
            await server.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        var (code, verify) = await AuditVerifyAsync(database);
        output.WriteLine($"contracts audit verify: {code} {verify}");
        Assert.True(code == 0, $"contracts audit verify exited {code}: {verify}");
        Assert.StartsWith("intact:", verify, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> CreateOrganisationAsync(HttpClient admin, string name) =>
        admin.PostAsJsonAsync("/api/organisations", new { id = $"{name}-{Guid.NewGuid():N}"[..20], name });

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: '{body}'");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {response.Headers.RetryAfter}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(reason, problem.RootElement.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
    }

    private static async Task<JsonElement> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<JsonElement> WaitForHealthyAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var health = await HealthAsync(client);
            if (health.GetProperty("status").GetString() == "Healthy")
            {
                return health;
            }

            Assert.True(clock.Elapsed < Patience, $"Not healthy {Patience} after space returned: {health}");
            await Task.Delay(250);
        }
    }

    private static async Task<EvaluationRun> WaitForRunAsync(ServerFactory server, string runId, Func<EvaluationRun, bool> match)
    {
        var runs = server.Services.GetRequiredService<EvaluationRunStore>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = await runs.GetAsync(runId);
            if (run is not null && match(run))
            {
                return run;
            }

            Assert.True(clock.Elapsed < Patience,
                $"Run {runId} still {(run is null ? "missing" : $"{RunNames.Of(run.Status)} (lease until {run.LeaseExpiresAt:O}, error '{run.Error}')")} after {Patience}.");
            await Task.Delay(250);
        }
    }

    private static long WalBytes(string database) => File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0;

    /// <summary>
    /// Runs the built CLI (<c>contracts.dll</c> from the solution's build) on <paramref name="database"/>; where only
    /// this project was built, the same verification through <see cref="Core.Audit.AuditLog"/>, the code the CLI calls.
    /// </summary>
    private static async Task<(int Code, string Output)> AuditVerifyAsync(string database)
    {
        var connectionString = $"Data Source={database};Pooling=false";
        if (CliPath() is not { } cli)
        {
            var services = new ServiceCollection().AddLogging();
            services.AddOptions<DatabaseOptions>().Configure(o => (o.Provider, o.ConnectionString) = (DatabaseProvider.Sqlite, connectionString));
            services.AddSingleton<DbConnectionFactory>().AddSingleton<Core.Audit.AuditLog>();
            await using var provider = services.BuildServiceProvider();
            var result = await provider.GetRequiredService<Core.Audit.AuditLog>().VerifyAsync();
            return (result.IsIntact ? 0 : 1, result.IsIntact ? $"intact: {result.EntriesChecked} entries verified (AuditLog; the CLI is not built)" : $"broken: {result.Reason}");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("audit");
        start.ArgumentList.Add("verify");
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Database__ConnectionString"] = connectionString;
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, text.Trim());
    }

    private static string? CliPath()
    {
        // tests/ConfigurableContracts.Server.Tests/bin/<Configuration>/<framework>/ -> src/ConfigurableContracts.Cli/bin/<Configuration>/<framework>/contracts.dll
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        for (var folder = configuration.Parent; folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "ConfigurableContracts.Cli", "bin", configuration.Name, framework.Name, "contracts.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The server's own evaluation, held at its start until the test has filled the disk.</summary>
    private sealed class HeldEvaluation
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _release.TrySetResult();

        public IContractEvaluation Around(IContractEvaluation inner) => new Held(this, inner);

        private sealed class Held(HeldEvaluation gate, IContractEvaluation inner) : IContractEvaluation
        {
            public async Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
            {
                gate._started.TrySetResult();
                await gate._release.Task.WaitAsync(cancellationToken);
                return await inner.RunAsync(contractId, run, progress, cancellationToken);
            }
        }
    }
}
