using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// Evaluates the 10-rule outcome workflow 100 000 times per invocation, with the engine and hand-written C# in the
/// same run; times are per participant (OperationsPerInvoke). With 100 000 distinct participants the data does not
/// fit in the CPU caches and memory dominates; with 1 000 participants evaluated 100 times the figures show the
/// evaluation cost itself.
/// </summary>
[MemoryDiagnoser]
public class OutcomeBenchmarks
{
    private const int Evaluations = 100_000;

    /// <summary>Distinct synthetic participants; each is evaluated Evaluations / Participants times.</summary>
    [Params(1_000, 100_000)]
    public int Participants { get; set; }

    private CompiledWorkflowSet _workflows = null!;
    private List<RuleInputs> _inputs = null!;
    private List<Dictionary<string, JsonElement>> _json = null!;
    private Dictionary<string, ConfigurableContracts.Rules.Types.RuleType> _types = null!;

    [GlobalSetup]
    public void Setup()
    {
        _types = OutcomeWorkflow.InputTypes();
        var read = WorkflowReader.Read("outcomes.json", OutcomeWorkflow.Json);
        var compilation = WorkflowCompiler.Compile(read.Workflows, _types);
        if (read.HasErrors || compilation.HasErrors)
            throw new InvalidOperationException(string.Join("\n", read.Diagnostics.Concat(compilation.Diagnostics)));
        _workflows = compilation.Workflows;
        _json = OutcomeWorkflow.GenerateJson(Participants);
        _inputs = OutcomeWorkflow.ToInputs(_json, _types);
        VerifySameStatuses();
    }

    /// <summary>A benchmark of two programs only means something if they compute the same thing.</summary>
    private void VerifySameStatuses()
    {
        for (var i = 0; i < Math.Min(2_000, Participants); i++)
        {
            var engine = _workflows.Evaluate("IndividualOutcomes", _inputs[i]);
            var hand = HandWrittenOutcomes.Evaluate(_inputs[i]);
            for (var r = 0; r < hand.Length; r++)
            {
                var output = engine[r].ActionOutput as decimal?;
                if (engine[r].Status != hand[r].Status || output != hand[r].Output)
                    throw new InvalidOperationException($"Participant {i}, rule {engine[r].RuleName}: engine {engine[r].Status}/{output}, hand-written {hand[r].Status}/{hand[r].Output}.");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Evaluations, Description = "Hand-written C#")]
    public int HandWritten()
    {
        var achieved = 0;
        for (var pass = 0; pass < Evaluations / Participants; pass++)
            foreach (var inputs in _inputs)
                if (HandWrittenOutcomes.Evaluate(inputs)[4].Status == RuleStatus.Achieved) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = Evaluations, Description = "Engine (converted inputs)")]
    public int Engine()
    {
        var achieved = 0;
        for (var pass = 0; pass < Evaluations / Participants; pass++)
            foreach (var inputs in _inputs)
                if (_workflows.Evaluate("IndividualOutcomes", inputs)[4].IsSuccess) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = Evaluations, Description = "Engine (JSON inputs, converted per call)")]
    public int EngineFromJson()
    {
        var achieved = 0;
        for (var pass = 0; pass < Evaluations / Participants; pass++)
            foreach (var json in _json)
                if (_workflows.Evaluate("IndividualOutcomes", RuleInputs.FromJson(json, _types))[4].IsSuccess) achieved++;
        return achieved;
    }
}
