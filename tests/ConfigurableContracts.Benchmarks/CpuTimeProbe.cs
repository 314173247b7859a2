using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

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
            ("Engine closures only", benchmarks.EngineClosures),
            ("Engine with gaps", benchmarks.EngineWithGaps),
        };
        var selected = methods.Where(m => onlyMethod is null || m.Name.StartsWith(onlyMethod, StringComparison.OrdinalIgnoreCase)).ToArray();
        var allocated = new long[selected.Length];
        for (var m = 0; m < selected.Length; m++)
        {
            // The first warm-up round also counts allocation: the benchmarks run on this one thread.
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            selected[m].Run();
            allocated[m] = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / participants;
            // Warm up for half a second, not one round: a fast row's rounds take milliseconds, and the JIT promotes
            // hot methods to optimised code only after a delay of about 100 ms, so they would all be measured early.
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 500) selected[m].Run();
        }

        // Rounds are interleaved, one of each method in turn: on a shared machine the load drifts over a run, and
        // interleaving makes the drift fall on every row alike, so the ratios hold even when the times move.
        var samples = selected.Select(_ => new List<double>()).ToArray();
        // Fewer participants than usual (data that fits the caches) are run several times per sample, so that every
        // sample is as long as a usual one.
        var repeat = Math.Max(1, OutcomeBenchmarks.ParticipantCount / participants);
        for (var round = 0; round < rounds; round++)
        {
            for (var m = 0; m < selected.Length; m++)
            {
                var before = ThreadCpuNanoseconds();
                for (var r = 0; r < repeat; r++) selected[m].Run();
                samples[m].Add((ThreadCpuNanoseconds() - before) / (double)(participants * repeat));
            }
        }

        double? baseline = null;
        for (var m = 0; m < selected.Length; m++)
        {
            samples[m].Sort();
            var median = samples[m][rounds / 2];
            baseline ??= median;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {participants} | {selected[m].Name} | {median / 1000:0.000} µs | {median / baseline:0.00} | {allocated[m]} B |"));
        }
    }

    /// <summary>
    /// This thread's CPU time in nanoseconds. Process.TotalProcessorTime counts in the kernel's 10 ms ticks on
    /// Linux, as coarse as a whole round of the fast rows; the thread clock counts nanoseconds, and the rows run
    /// on this one thread.
    /// </summary>
    private static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return (long)Process.GetCurrentProcess().TotalProcessorTime.TotalNanoseconds;
        if (NativeMethods.clock_gettime(NativeMethods.ClockThreadCpuTime, out var time) != 0)
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    private static class NativeMethods
    {
        public const int ClockThreadCpuTime = 3;

        [StructLayout(LayoutKind.Sequential)]
        public struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int clock_gettime(int clock, out Timespec time);
    }
}
