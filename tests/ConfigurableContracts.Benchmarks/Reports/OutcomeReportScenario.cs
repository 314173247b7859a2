using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using ConfigurableContracts.Benchmarks.NightlyRun;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Benchmarks.Reports;

/// <summary>
/// Outcome reports of one contract of N participants on SQLite (the nightly benchmark's seed: the shipped
/// preventive-youth-support template, three planned measurements, some missing, one in twenty exited), evaluated by
/// the real <see cref="ContractEvaluator"/>. Measured through <see cref="OutcomeReports"/> (the service the endpoint
/// calls; no HTTP, authentication or request audit): the first report, which computes the open follow-ups of a
/// contract that has none yet; the median of single reports one after another; reports per second and latencies with
/// 32 clients asking at once; the process's working set sampled throughout. The same for <see cref="CountingReport"/>,
/// the pre-aggregate computation, whose answer must equal the new one.
/// </summary>
internal static class OutcomeReportScenario
{
    private const string Contract = "bench-contract";
    private const int Clients = 32;
    private static readonly DateOnly AsOf = new(2022, 12, 31);

    public static async Task<int> RunAsync(int participants, TimeSpan loadDuration, int countingRounds)
    {
        var root = NightlyRunScenario.RepositoryRoot();
        var file = Path.Combine(Path.GetTempPath(), $"cc_reports_{Guid.NewGuid():N}.db");
        try
        {
            DapperTypeHandlers.Register();
            var connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file}" }));
            await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
            var catalog = new TemplateCatalog(new TemplateLoader(root, new TemplateOptions()), NullLogger<TemplateCatalog>.Instance);
            catalog.Reload();
            var template = catalog.Templates.Single(t => t.Id == "preventive-youth-support");
            var bundles = new BundleTemplates(catalog, connections);
            var evaluator = new ContractEvaluator(connections, bundles, Options.Create(new SchedulerOptions()), TimeProvider.System, NullLogger<ContractEvaluator>.Instance);

            var seeding = Stopwatch.StartNew();
            await NightlyRunScenario.SeedAsync(connections, root, template, Contract, participants, withOrganisations: true);
            var summary = await evaluator.EvaluateAsync(Contract, "bench-run", AsOf, null, CancellationToken.None);
            Console.WriteLine($"seeded and evaluated {participants:N0} participants in {seeding.Elapsed.TotalSeconds:F1} s: {summary.DecisionsWritten:N0} decisions");
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} before measuring; {(GCSettings.IsServerGC ? "server" : "workstation")} GC");

            var commissioner = new Caller("bench-commissioner", Roles.Commissioner, "bench");
            var provider = new Caller("forening-exempel-1", Roles.Provider, "bench");
            var reports = new OutcomeReports(connections, bundles);
            var counting = new CountingReport(connections);
            using var memory = new WorkingSetSampler();

            var first = Stopwatch.StartNew();
            var report = (await reports.ReportAsync(commissioner, Contract, AsOf))!;
            Console.WriteLine($"aggregates: first report (computes the open follow-ups of all {participants:N0} participants once): {first.Elapsed.TotalMilliseconds:N0} ms");
            await CheckSameAnswerAsync(reports, counting, template, commissioner, provider);

            memory.Reset();
            var single = await SequentialAsync(200, () => reports.ReportAsync(commissioner, Contract, AsOf));
            var providerSingle = await SequentialAsync(200, () => reports.ReportAsync(provider, Contract, AsOf));
            Console.WriteLine($"aggregates: single report median {Median(single):F2} ms (p95 {Percentile(single, 0.95):F2} ms); a provider's {Median(providerSingle):F2} ms; working set {memory.Describe()}");
            memory.Reset();
            var cpu = CpuTime();
            var (done, latencies, elapsed) = await ConcurrentAsync(Clients, loadDuration, () => reports.ReportAsync(commissioner, Contract, AsOf));
            cpu = CpuTime() - cpu;
            Console.WriteLine($"aggregates: {Clients} clients for {elapsed.TotalSeconds:F0} s: {done / elapsed.TotalSeconds:N0} reports/s, p50 {Median(latencies):F1} ms, p95 {Percentile(latencies, 0.95):F1} ms, max {latencies.Max():F1} ms; {cpu.TotalMilliseconds / done:F2} ms CPU per report; working set {memory.Describe()}");

            memory.Reset();
            var countingSingle = await SequentialAsync(countingRounds, () => counting.ReportAsync(commissioner, Contract, template, AsOf));
            Console.WriteLine($"counting (before 0010): single report median {Median(countingSingle):N0} ms over {countingRounds}; working set {memory.Describe()}");
            memory.Reset();
            cpu = CpuTime();
            var (countingDone, countingLatencies, countingElapsed) = await ConcurrentAsync(Clients, TimeSpan.Zero, () => counting.ReportAsync(commissioner, Contract, template, AsOf));
            cpu = CpuTime() - cpu;
            Console.WriteLine($"counting (before 0010): {Clients} clients, one report each: {countingDone / countingElapsed.TotalSeconds:F2} reports/s, p50 {Median(countingLatencies) / 1000:F1} s, max {countingLatencies.Max() / 1000:F1} s; {cpu.TotalMilliseconds / countingDone:N0} ms CPU per report; working set {memory.Describe()}");
            Console.WriteLine($"load average after: {LoadAverage()}");
            return report.Outcomes.Count > 0 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(file + suffix);
            }
        }
    }

    /// <summary>The benchmark measures nothing unless both computations give the same report, for a commissioner and a provider.</summary>
    private static async Task CheckSameAnswerAsync(OutcomeReports reports, CountingReport counting, TemplateVersion template, params Caller[] callers)
    {
        foreach (var caller in callers)
        {
            foreach (var asOf in new[] { new DateOnly(2021, 10, 15), new DateOnly(2022, 3, 1), AsOf })
            {
                var aggregated = (await reports.ReportAsync(caller, Contract, asOf))!;
                var (outcomes, overdue) = await counting.ReportAsync(caller, Contract, template, asOf);
                if (!outcomes.SequenceEqual(aggregated.Outcomes) || !overdue.SequenceEqual(aggregated.Overdue))
                {
                    throw new InvalidOperationException($"The aggregated report differs from counting the rows for {caller.OrganisationId} on {asOf:yyyy-MM-dd}.");
                }
            }
        }

        Console.WriteLine("same answer: aggregated and counted reports are equal for a commissioner and a provider on three dates");
    }

    private static async Task<List<double>> SequentialAsync<T>(int rounds, Func<Task<T>> report)
    {
        var times = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await report();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return times;
    }

    /// <summary><paramref name="clients"/> loops asking one after another until <paramref name="duration"/> is over (zero: one report each).</summary>
    private static async Task<(int Done, List<double> Latencies, TimeSpan Elapsed)> ConcurrentAsync<T>(int clients, TimeSpan duration, Func<Task<T>> report)
    {
        var latencies = new List<double>();
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            do
            {
                var started = Stopwatch.GetTimestamp();
                await report();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }
            }
            while (timer.Elapsed < duration);
        })));
        return (latencies.Count, latencies, timer.Elapsed);
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    /// <summary>CPU time of the whole process: what a report costs whatever else the machine is doing.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static double Percentile(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(share * sorted.Count))];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The process's working set every 50 ms: at the start of a phase and its peak.</summary>
    private sealed class WorkingSetSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _start;
        private long _peak;

        public WorkingSetSampler()
        {
            Reset();
            _timer = new Timer(_ => Sample(), null, 0, 50);
        }

        public void Reset()
        {
            _start = Current();
            Interlocked.Exchange(ref _peak, _start);
        }

        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{_start / 1_048_576.0:N0} MiB at start, peak {Interlocked.Read(ref _peak) / 1_048_576.0:N0} MiB");

        public void Dispose() => _timer.Dispose();

        private static long Current()
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }

        private void Sample()
        {
            var now = Current();
            long peak;
            while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
            {
            }
        }
    }
}
