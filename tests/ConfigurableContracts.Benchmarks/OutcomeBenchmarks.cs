using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ConfigurableContracts.Conformance;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;
using RuleParameter = RulesEngine.Models.RuleParameter;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// The 10-rule outcome workflow over 20 000 distinct participants per invocation, side by side in one run: hand-written
/// C# over typed POCOs (the baseline: the real limit), Microsoft RulesEngine 6.0.1 with typed POCO inputs and with
/// JSON converted to ExpandoObjects per call, and our engine with converted (typed) inputs and with JSON converted per
/// call. Times are per participant (OperationsPerInvoke).
/// </summary>
/// <remarks>
/// RulesEngine has no NotEvaluable, so the side-by-side rows run on complete data (every participant has both
/// follow-ups); one more row runs our engine on the usual data, where about a third lack a follow-up.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class OutcomeBenchmarks
{
    private const string Workflow = RulesEngineOutcomes.WorkflowName;

    /// <summary>Distinct participants, each evaluated once per invocation.</summary>
    public const int ParticipantCount = 20_000;

    [Params(ParticipantCount)]
    public int Participants { get; set; }

    private CompiledWorkflowSet _workflows = null!;
    private CompiledWorkflowSet _closuresOnly = null!;
    private Dictionary<string, RuleType> _types = null!;
    private List<Dictionary<string, JsonElement>> _json = null!;
    private List<RuleInputs> _inputs = null!;
    private List<OutcomePocoInputs> _pocos = null!;
    private List<RuleParameter[]> _typedParameters = null!;
    private List<RuleInputs> _inputsWithGaps = null!;
    private RulesEngineOutcomes _rulesEngineTyped = null!;
    private RulesEngineOutcomes _rulesEngineJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        _types = OutcomeWorkflow.InputTypes();
        var read = WorkflowReader.Read("outcomes.json", OutcomeWorkflow.Json);
        var compilation = WorkflowCompiler.Compile(read.Workflows, _types);
        if (read.HasErrors || compilation.HasErrors)
            throw new InvalidOperationException(string.Join("\n", read.Diagnostics.Concat(compilation.Diagnostics)));
        _workflows = compilation.Workflows;
        _closuresOnly = WorkflowCompiler.Compile(read.Workflows, _types, functions: null, specialise: true, typedThreshold: -1).Workflows;
        _json = OutcomeWorkflow.GenerateJson(Participants, complete: true);
        _inputs = OutcomeWorkflow.ToInputs(_json, _types);
        _pocos = [.. _json.Select(OutcomePocoInputs.FromJson)];
        _typedParameters = [.. _pocos.Select(RulesEngineOutcomes.Parameters)];
        _inputsWithGaps = OutcomeWorkflow.ToInputs(OutcomeWorkflow.GenerateJson(Participants), _types);
        _rulesEngineTyped = new RulesEngineOutcomes(OutcomeWorkflow.Json);
        _rulesEngineJson = new RulesEngineOutcomes(RulesEngineOutcomes.JsonVariant(OutcomeWorkflow.Json));
        VerifySameAnswers();
        // Every row reads 20 000 participants' data, more than the caches hold, so where that data lies matters: a
        // full compacting collection packs each structure in allocation order before any row is measured, instead
        // of whatever order the set-up's garbage and the first rows' collections leave it in.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// A benchmark of several programs only means something if they compute the same thing: every row's status (or
    /// RulesEngine's isSuccess) and output, rule by rule, for every participant of the side-by-side data, and our
    /// engine against the hand-written code on the data with missing follow-ups.
    /// </summary>
    private void VerifySameAnswers()
    {
        for (var i = 0; i < Participants; i++)
        {
            var hand = HandWrittenOutcomes.Evaluate(_pocos[i]);
            var tuned = new HandWrittenOutcomes.Result[10];
            HandWrittenOutcomes.EvaluateTuned(_pocos[i], tuned);
            Compare(i, "hand-written, tuned", hand, [.. tuned.Select(r => (r.Status == RuleStatus.Achieved, (object?)r.Output, (RuleStatus?)r.Status))]);
            Compare(i, "hand-written over the value model", hand, [.. HandWrittenOutcomes.Evaluate(_inputs[i]).Select(r => (r.Status == RuleStatus.Achieved, (object?)r.Output, (RuleStatus?)r.Status))]);
            Compare(i, "ours (typed)", hand, Ours(_workflows.Evaluate(Workflow, _inputs[i])));
            Compare(i, "ours (JSON)", hand, Ours(_workflows.Evaluate(Workflow, RuleInputs.FromJson(_json[i], _types))));
            Compare(i, "ours (closures only)", hand, Ours(_closuresOnly.Evaluate(Workflow, _inputs[i])));
            Compare(i, "RulesEngine (typed)", hand, Theirs(_rulesEngineTyped.Execute(_typedParameters[i])));
            // RulesEngine computes JSON numbers in double: where the score change equals the threshold exactly in
            // decimal, double rounding may put it on either side. Those two rules are compared everywhere else.
            var change = _pocos[i].FollowUp6!.Score - _pocos[i].Baseline!.Score;
            Compare(i, "RulesEngine (JSON)", hand, Theirs(_rulesEngineJson.Execute(RulesEngineOutcomes.Parameters(_json[i]))),
                skip: change == _pocos[i].Contract.Threshold ? [1, 4] : []);

            var withGaps = HandWrittenOutcomes.Evaluate(_inputsWithGaps[i]);
            var engine = _workflows.Evaluate(Workflow, _inputsWithGaps[i]);
            for (var r = 0; r < withGaps.Length; r++)
                if (engine[r].Status != withGaps[r].Status || engine[r].ActionOutput as decimal? != withGaps[r].Output)
                    throw new InvalidOperationException($"Participant {i} (with gaps), rule {engine[r].RuleName}: ours {engine[r].Status}/{engine[r].ActionOutput}, hand-written {withGaps[r].Status}/{withGaps[r].Output}.");
        }

        static List<(bool Success, object? Output, RuleStatus? Status)> Ours(IReadOnlyList<RuleResultTree> results) =>
            [.. results.Select(r => (r.IsSuccess, r.ActionOutput, (RuleStatus?)r.Status))];

        static List<(bool Success, object? Output, RuleStatus? Status)> Theirs(List<RulesEngine.Models.RuleResultTree> results)
        {
            foreach (var result in results)
                if (!string.IsNullOrEmpty(result.ExceptionMessage))
                    throw new InvalidOperationException($"RulesEngine, rule {result.Rule.RuleName}: {result.ExceptionMessage}");
            return [.. results.Select(r => (r.IsSuccess, r.ActionResult?.Output, (RuleStatus?)null))];
        }
    }

    private static void Compare(int participant, string row, HandWrittenOutcomes.Result[] expected, List<(bool Success, object? Output, RuleStatus? Status)> actual, int[]? skip = null)
    {
        if (actual.Count != expected.Length) throw new InvalidOperationException($"Participant {participant}: {row} gave {actual.Count} results.");
        for (var r = 0; r < expected.Length; r++)
        {
            if (skip is not null && skip.Contains(r)) continue;
            var (success, output, status) = actual[r];
            var same = success == (expected[r].Status == RuleStatus.Achieved)
                && (status is null || status == expected[r].Status)
                && OracleValues.Equal(expected[r].Output, output);
            if (!same)
                throw new InvalidOperationException($"Participant {participant}, rule {r}: {row} {status?.ToString() ?? success.ToString()}/{output}, hand-written {expected[r].Status}/{expected[r].Output}.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ParticipantCount, Description = "Hand-written C# over POCOs")]
    public int HandWrittenPocos()
    {
        var achieved = 0;
        foreach (var inputs in _pocos)
            if (HandWrittenOutcomes.Evaluate(inputs)[4].Status == RuleStatus.Achieved) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "Hand-written C# over POCOs, tuned")]
    public int HandWrittenTuned()
    {
        var achieved = 0;
        Span<HandWrittenOutcomes.Result> results = new HandWrittenOutcomes.Result[10];
        foreach (var inputs in _pocos)
        {
            HandWrittenOutcomes.EvaluateTuned(inputs, results);
            if (results[4].Status == RuleStatus.Achieved) achieved++;
        }
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "Hand-written C# over our value model")]
    public int HandWritten()
    {
        var achieved = 0;
        foreach (var inputs in _inputs)
            if (HandWrittenOutcomes.Evaluate(inputs)[4].Status == RuleStatus.Achieved) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "RulesEngine 6.0.1, typed POCOs")]
    public int RulesEngineTyped()
    {
        var achieved = 0;
        foreach (var parameters in _typedParameters)
            if (_rulesEngineTyped.Execute(parameters)[4].IsSuccess) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "RulesEngine 6.0.1, JSON → ExpandoObject per call")]
    public int RulesEngineFromJson()
    {
        var achieved = 0;
        foreach (var json in _json)
            if (_rulesEngineJson.Execute(RulesEngineOutcomes.Parameters(json))[4].IsSuccess) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "Ours, typed (converted) inputs")]
    public int Engine()
    {
        var achieved = 0;
        foreach (var inputs in _inputs)
            if (_workflows.Evaluate(Workflow, inputs)[4].IsSuccess) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "Ours, typed inputs, closures only (no typed tier)")]
    public int EngineClosures()
    {
        var achieved = 0;
        foreach (var inputs in _inputs)
            if (_closuresOnly.Evaluate(Workflow, inputs)[4].IsSuccess) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "Ours, JSON read per call")]
    public int EngineFromJson()
    {
        var achieved = 0;
        foreach (var json in _json)
            if (_workflows.Evaluate(Workflow, RuleInputs.FromJson(json, _types))[4].IsSuccess) achieved++;
        return achieved;
    }

    [Benchmark(OperationsPerInvoke = ParticipantCount, Description = "Ours, typed inputs, a third without follow-ups")]
    public int EngineWithGaps()
    {
        var achieved = 0;
        foreach (var inputs in _inputsWithGaps)
            if (_workflows.Evaluate(Workflow, inputs)[4].IsSuccess) achieved++;
        return achieved;
    }
}
