using System.Diagnostics;
using System.Globalization;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// Processor time per participant, measured with the process's CPU clock instead of the wall clock. On a machine
/// shared with other work, BenchmarkDotNet's wall-clock means include the time this process waited for a core;
/// CPU time does not, so these figures are comparable with ones taken on an idle machine.
/// </summary>
internal static class CpuTimeProbe
{

    /// <param name="onlyParticipants">Measure this many participants instead of 20 000.</param>
    /// <param name="onlyMethod">Measure only the method whose name starts with this (e.g. "Engine"); no ratio then.</param>
    /// <param name="rounds">Measured rounds per method; many more than the default 7 keep a profiler busy with the
    /// measured code rather than the set-up.</param>
    public static void Run(TextWriter output, int? onlyParticipants = null, string? onlyMethod = null, int rounds = 7)
    {
        output.WriteLine($"| Participants | Method | CPU time per participant (median of {rounds}) | Ratio | Allocated per participant |");
        output.WriteLine("|---:|---|---:|---:|---:|");
        var participants = onlyParticipants ?? OutcomeBenchmarks.ParticipantCount;
        var benchmarks = new OutcomeBenchmarks { Participants = participants };
        benchmarks.Setup();
        var methods = new (string Name, Func<int> Run)[]
        {
            ("Hand-written C# over POCOs", benchmarks.HandWrittenPocos),
            ("Hand-written C# over POCOs, tuned", benchmarks.HandWrittenTuned),
            ("Hand-written C# over our value model", benchmarks.HandWritten),
            ("RulesEngine typed", benchmarks.RulesEngineTyped),
            ("RulesEngine JSON", benchmarks.RulesEngineFromJson),
            ("Engine typed", benchmarks.Engine),
            ("Engine JSON", benchmarks.EngineFromJson),
            ("Engine with gaps", benchmarks.EngineWithGaps),
        };
        double? baseline = null;
        foreach (var (name, run) in methods)
        {
            if (onlyMethod is not null && !name.StartsWith(onlyMethod, StringComparison.OrdinalIgnoreCase)) continue;
            // The first warm-up round also counts allocation: the benchmarks run on this one thread.
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            run();
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / participants;
            // Warm up for half a second, not one round: a fast row's rounds take milliseconds, and the JIT promotes
            // hot methods to optimised code only after a delay of about 100 ms, so they would all be measured early.
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 500) run();
            var samples = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var before = Process.GetCurrentProcess().TotalProcessorTime;
                run();
                var after = Process.GetCurrentProcess().TotalProcessorTime;
                samples.Add((after - before).TotalNanoseconds / participants);
            }
            samples.Sort();
            var median = samples[rounds / 2];
            baseline ??= median;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {participants} | {name} | {median / 1000:0.000} µs | {median / baseline:0.00} | {allocated} B |"));
        }
    }
}
