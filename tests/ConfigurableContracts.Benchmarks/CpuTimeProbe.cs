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
    private const int Evaluations = 100_000;
    private const int Rounds = 7;

    /// <param name="onlyParticipants">Measure this size alone instead of 1 000 and 100 000.</param>
    /// <param name="onlyMethod">Measure only the method whose name starts with this (e.g. "Engine"); no ratio then.</param>
    public static void Run(TextWriter output, int? onlyParticipants = null, string? onlyMethod = null)
    {
        output.WriteLine("| Participants | Method | CPU time per participant (median of 7) | Ratio | Allocated per participant |");
        output.WriteLine("|---:|---|---:|---:|---:|");
        foreach (var participants in onlyParticipants is { } only ? [only] : new[] { 1_000, 100_000 })
        {
            var benchmarks = new OutcomeBenchmarks { Participants = participants };
            benchmarks.Setup();
            var methods = new (string Name, Func<int> Run)[]
            {
                ("Hand-written C#", benchmarks.HandWritten),
                ("Engine (converted inputs)", benchmarks.Engine),
                ("Engine (JSON inputs, converted per call)", benchmarks.EngineFromJson),
            };
            double? baseline = null;
            foreach (var (name, run) in methods)
            {
                if (onlyMethod is not null && !name.StartsWith(onlyMethod, StringComparison.OrdinalIgnoreCase)) continue;
                // The warm-up round also counts allocation: the benchmarks run on this one thread.
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                run();
                var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / Evaluations;
                var samples = new List<double>();
                for (var round = 0; round < Rounds; round++)
                {
                    var before = Process.GetCurrentProcess().TotalProcessorTime;
                    run();
                    var after = Process.GetCurrentProcess().TotalProcessorTime;
                    samples.Add((after - before).TotalNanoseconds / Evaluations);
                }
                samples.Sort();
                var median = samples[Rounds / 2];
                baseline ??= median;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {participants} | {name} | {median / 1000:0.000} µs | {median / baseline:0.00} | {allocated} B |"));
            }
        }
    }
}
