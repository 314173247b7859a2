using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// Reads, binds and compiles a generated 200-rule workflow in a fresh process with no warm-up, so the time
/// includes JIT-compiling the engine itself: what a server pays for the first template it loads.
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1)]
public class ColdCompileBenchmarks
{
    private string _json = null!;

    [GlobalSetup]
    public void Setup() => _json = OutcomeWorkflow.Generate(200);

    [Benchmark(Description = "Read + compile 200 rules, cold")]
    public int Compile200Rules()
    {
        var read = WorkflowReader.Read("generated.json", _json);
        var compilation = WorkflowCompiler.Compile(read.Workflows, OutcomeWorkflow.InputTypes());
        if (read.HasErrors || compilation.HasErrors)
            throw new InvalidOperationException(string.Join("\n", read.Diagnostics.Concat(compilation.Diagnostics)));
        return compilation.Workflows.WorkflowNames.Count;
    }
}
