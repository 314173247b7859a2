using System.Globalization;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Tests.Evaluations;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>
/// Two scheduler instances, each a full host with the server's scheduling wiring, sharing one fresh PostgreSQL
/// database through Quartz's clustered store: each nightly trigger fires once across both, and a run cut off by
/// one instance stopping is recovered and finished by the other.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    [PostgreSqlFact]
    public async Task NightlyTrigger_RunsOncePerContract_AndTheOtherInstanceRecoversARunCutOffMidway()
    {
        await using var database = await ClusterDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        var firstNight = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(30);
        var secondNight = firstNight.AddSeconds(10);
        string[] contracts = ["c-1", "c-2", "c-3"];
        foreach (var contract in contracts)
        {
            await database.SeedAsync(contract, CronAt(firstNight));
        }

        await database.SeedAsync("c-slow", CronAt(secondNight));
        var evaluations = new Dictionary<string, GatedEvaluation> { ["node-a"] = new("c-slow"), ["node-b"] = new("c-slow") };
        var nodes = new Dictionary<string, IHost>
        {
            ["node-a"] = Node(database.ConnectionString, "node-a", evaluations["node-a"]),
            ["node-b"] = Node(database.ConnectionString, "node-b", evaluations["node-b"]),
        };
        try
        {
            await Task.WhenAll(nodes.Values.Select(n => n.StartAsync()));
            Assert.True(DateTimeOffset.UtcNow < firstNight.AddSeconds(-2), $"Start-up took until {DateTimeOffset.UtcNow:O}, past the planned first night {firstNight:O}.");

            // First night: three contracts, two instances, each contract evaluated exactly once.
            var firstRuns = await database.WaitForRunsAsync(r => r.Status == RunStatus.Succeeded && contracts.Contains(r.ContractId), contracts.Length, TimeSpan.FromSeconds(60));
            var cutOff = await database.WaitForRunsAsync(r => r.ContractId == "c-slow" && r.Status == RunStatus.Running, 1, TimeSpan.FromSeconds(60));

            // Second night: c-slow's evaluation is held open on whichever instance took it; stop that instance.
            var started = await Task.WhenAny(evaluations.Values.Select(e => e.Started));
            var holder = evaluations.Single(e => e.Value.Started == started).Key;
            var survivor = holder == "node-a" ? "node-b" : "node-a";
            evaluations[survivor].Release();
            output.WriteLine($"c-slow started on {holder}; stopping it, {survivor} should recover the run.");
            await nodes[holder].StopAsync();
            var recovered = await database.WaitForRunsAsync(r => r.ContractId == "c-slow" && r.Status == RunStatus.Succeeded, 1, TimeSpan.FromSeconds(90));
            var all = await database.AllRunsAsync();

            Assert.Equal(contracts, firstRuns.Select(r => r.ContractId).Order());
            Assert.All(firstRuns, r => Assert.Equal(RunTrigger.Schedule, r.Trigger));
            Assert.All(firstRuns, r => Assert.Equal(firstNight, r.ScheduledFor));
            Assert.Equal(4, all.Count);
            Assert.Equal(contracts.Length, all.Count(r => contracts.Contains(r.ContractId)));
            var slow = Assert.Single(recovered);
            Assert.Equal(secondNight, slow.ScheduledFor);
            Assert.Equal(RunTrigger.Schedule, slow.Trigger);
            Assert.Equal(survivor, slow.InstanceId);
            Assert.Equal(2, slow.Attempt);
            Assert.Equal(holder, Assert.Single(cutOff).InstanceId);
        }
        finally
        {
            foreach (var evaluation in evaluations.Values)
            {
                evaluation.Release();
            }

            foreach (var node in nodes.Values)
            {
                await node.StopAsync();
                node.Dispose();
            }
        }
    }

    private static string CronAt(DateTimeOffset instant) =>
        string.Create(CultureInfo.InvariantCulture, $"{instant.Second} {instant.Minute} {instant.Hour} * * ?");

    private IHost Node(string connectionString, string instanceId, IContractEvaluation evaluation)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:ConnectionString"] = connectionString,
            ["Scheduler:InstanceId"] = instanceId,
            ["Scheduler:TimeZone"] = "UTC",
            ["Scheduler:CatchUpOnStart"] = "false",
            ["Scheduler:ClusterCheckinInterval"] = "00:00:01",
            ["Scheduler:ClusterCheckinMisfireThreshold"] = "00:00:03",
            ["Scheduler:ProgressInterval"] = "00:00:01",
            ["Scheduler:LeaseDuration"] = "00:00:05",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestOutputLogger(output, instanceId));
        builder.Services.AddDatabase(AppContext.BaseDirectory);
        builder.Services.AddSingleton(evaluation);
        builder.Services.AddScheduling(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Evaluates instantly, except the named contract, which it holds open until released or stopped.</summary>
    private sealed class GatedEvaluation(string gatedContract) : IContractEvaluation
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _release.TrySetResult();

        public async Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
        {
            progress.Report(new EvaluationProgress(0, 1));
            if (contractId == gatedContract)
            {
                _started.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            progress.Report(new EvaluationProgress(1, 1));
            return new EvaluationOutcome(1, new Dictionary<string, long> { ["decisionsWritten"] = 0 });
        }
    }

    private sealed class TestOutputLogger(ITestOutputHelper output, string node) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"[{node}] {logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // Output after the test ended (a node stopping late) has nowhere to go; dropping it is fine.
            }
        }
    }
}

/// <summary>A fact that needs a PostgreSQL server; skipped, saying so, when ConnectionStrings__PostgreSql is not set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ServerConnectionString))
        {
            Skip = "This test needs ConnectionStrings__PostgreSql set to a PostgreSQL server where databases may be created.";
        }
    }

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable("ConnectionStrings__PostgreSql");
}
