using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Workflows;
using RulesEngine.Models;
using MicrosoftRulesEngine = RulesEngine.RulesEngine;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// A generated 200-rule workflow, from its JSON text to the first participant's answers, in a fresh process with no
/// warm-up (RunStrategy.ColdStart, one invocation per launched process), so the time includes JIT-compiling the
/// engine itself: what a server pays for the first template it loads. Microsoft RulesEngine 6.0.1 compiles a
/// workflow's rules on its first evaluation, so its row is that first evaluation, with the same typed inputs.
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1)]
public class ColdCompileBenchmarks
{
    private string _json = null!;
    private Dictionary<string, JsonElement> _participant = null!;
    private RuleParameter[] _parameters = null!;

    [GlobalSetup]
    public void Setup()
    {
        _json = OutcomeWorkflow.Generate(200);
        _participant = OutcomeWorkflow.GenerateJson(1, complete: true)[0];
        _parameters = RulesEngineOutcomes.Parameters(OutcomePocoInputs.FromJson(_participant));
    }

    [Benchmark(Baseline = true, Description = "RulesEngine 6.0.1: read + first evaluation of 200 rules, cold")]
    public int RulesEngineFirstEvaluation()
    {
        var workflow = JsonSerializer.Deserialize<Workflow>(_json)!;
        var engine = new MicrosoftRulesEngine([workflow], new ReSettings());
        var results = engine.ExecuteAllRulesAsync("Generated", _parameters).AsTask().GetAwaiter().GetResult();
        // A rule RulesEngine could not compile fails fast and would flatter its time: every rule must have run.
        if (results.Count != 200 || results.FirstOrDefault(r => !string.IsNullOrEmpty(r.ExceptionMessage)) is { } failed)
            throw new InvalidOperationException($"RulesEngine did not run every rule: {results.Count} results, first failure: {results.FirstOrDefault(r => !string.IsNullOrEmpty(r.ExceptionMessage))?.ExceptionMessage}");
        return results.Count(r => r.IsSuccess);
    }

    [Benchmark(Description = "Ours: read + compile 200 rules, cold")]
    public int Compile200Rules() => Compile().WorkflowNames.Count;

    [Benchmark(Description = "Ours: read + compile + first evaluation of 200 rules, cold")]
    public int FirstEvaluation()
    {
        var workflows = Compile();
        return workflows.Evaluate("Generated", RuleInputs.FromJson(_participant, OutcomeWorkflow.InputTypes())).Count(r => r.IsSuccess);
    }

    /// <summary>
    /// What tiering saves the first answers: the same workflow with its typed tier compiled at once (threshold 0)
    /// instead of after 64 evaluations, so expression-tree compilation of 200 rules is in the first answer.
    /// </summary>
    [Benchmark(Description = "Ours: read + compile + typed tier at once + first evaluation of 200 rules, cold")]
    public int FirstEvaluationTypedAtOnce()
    {
        var types = OutcomeWorkflow.InputTypes();
        var workflows = Compile(typedThreshold: 0, types);
        return workflows.Evaluate("Generated", RuleInputs.FromJson(_participant, types)).Count(r => r.IsSuccess);
    }

    private CompiledWorkflowSet Compile(int typedThreshold = TypedTier.DefaultThreshold, Dictionary<string, Rules.Types.RuleType>? types = null)
    {
        var read = WorkflowReader.Read("generated.json", _json);
        var compilation = WorkflowCompiler.Compile(read.Workflows, types ?? OutcomeWorkflow.InputTypes(), functions: null, specialise: true, typedThreshold);
        if (read.HasErrors || compilation.HasErrors)
            throw new InvalidOperationException(string.Join("\n", read.Diagnostics.Concat(compilation.Diagnostics)));
        return compilation.Workflows;
    }
}
