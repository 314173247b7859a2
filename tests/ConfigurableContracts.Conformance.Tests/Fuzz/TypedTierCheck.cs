using System.Text.Json;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>
/// Holds the typed tier to the closures on the fuzz's generated workflows: the same workflow, compiled with the
/// typed tier from the first evaluation, must give the closures' results rule for rule, with the inputs read as JSON
/// in place and converted into the value model. A disagreement fails the fuzz like one with RulesEngine would.
/// </summary>
internal static class TypedTierCheck
{
    /// <summary>
    /// Inputs of each fuzz case checked this way: compiling typed code costs milliseconds per workflow, and the
    /// fuzz's inputs per case share their shape, so the first few cover the case.
    /// </summary>
    public const int InputsPerCase = 2;

    /// <summary>Top-level rule results compared, and how many of them the typed code answered itself (not the closures).</summary>
    public static (long Compared, long Typed) Counts => (Interlocked.Read(ref s_compared), Interlocked.Read(ref s_typed));

    private static long s_compared;
    private static long s_typed;

    /// <summary>The first difference between the tiers on <paramref name="inputs"/>, or null when they agree.</summary>
    public static RuleDifference? Disagreement(string workflowJson, string workflowName, IReadOnlyDictionary<string, JsonElement> inputs)
    {
        var read = WorkflowReader.Read("workflow.json", workflowJson);
        if (read.HasFileErrors) return null;
        var types = inputs.ToDictionary(i => i.Key, i => RuleType.InferInput(i.Value), StringComparer.Ordinal);
        var closures = WorkflowCompiler.Compile(read.Workflows, types, functions: null, specialise: true, typedThreshold: -1).Workflows;
        var typed = WorkflowCompiler.Compile(read.Workflows, types, functions: null, specialise: true, typedThreshold: 0).Workflows;
        if (!closures.Contains(workflowName)) return null;

        var expected = RuleResultJson.ToJson(closures.Evaluate(workflowName, Converted(inputs, types)));
        foreach (var (mode, values) in new[] { ("JSON in place", RuleInputs.FromJson(inputs, types)), ("converted", Converted(inputs, types)) })
        {
            var actual = RuleResultJson.ToJson(typed.Evaluate(workflowName, values));
            if (typed.Workflow(workflowName).Typed?.CompileError is { } error)
                return new RuleDifference("", DifferenceKind.Error, $"typed tier did not compile: {error.Message}", "(closures)");
            if (actual != expected) return new RuleDifference("", DifferenceKind.Output, $"typed tier ({mode}) {actual}", $"closures {expected}");
        }

        // So that the agreement is not vacuous: how much of it the typed code answered rather than handed back.
        var workflow = typed.Workflow(workflowName);
        var answers = new RuleResultTree?[workflow.Rules.Length];
        if (workflow.Typed is { } tier && tier.TryEvaluate(Converted(inputs, types), answers))
            Interlocked.Add(ref s_typed, answers.Count(a => a is not null));
        Interlocked.Add(ref s_compared, answers.Length);
        return null;
    }

    private static RuleInputs Converted(IReadOnlyDictionary<string, JsonElement> inputs, Dictionary<string, RuleType> types)
    {
        var values = new RuleInputs();
        foreach (var (name, json) in inputs) values.SetJson(name, json, types[name]);
        return values;
    }
}
