using System.Text.Json;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Conformance;

/// <summary>One workflow file and inputs run on both engines, and what differs.</summary>
/// <param name="Diagnostics">Our reader's and compiler's findings (a rule that does not bind runs as Error).</param>
/// <param name="Ours">Our results; empty when the file could not be read.</param>
public sealed record DifferentialResult(
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<RuleResultTree> Ours,
    OracleRun Theirs,
    IReadOnlyList<RuleDifference> Differences)
{
    public bool Agree => Differences.Count == 0;
}

/// <summary>
/// Runs a workflow file on our engine and on Microsoft RulesEngine with the same JSON inputs, the way a user without
/// schemas would: each input's type is inferred from its value, as <c>contracts eval</c> does.
/// </summary>
public static class Differential
{
    public static DifferentialResult Run(
        string workflowFileJson, string workflowName, IReadOnlyDictionary<string, JsonElement> inputs, IRuleFunctions? functions = null) =>
        Run(RulesEngineOracle.Load(workflowFileJson), workflowFileJson, workflowName, inputs, functions);

    /// <summary>
    /// As above, with RulesEngine already holding the file. Like a RulesEngine instance in production, it compiles the
    /// workflow once per input shape and reuses it, so many inputs of one shape cost one compilation (the fuzz relies
    /// on this to compare 100 000 rule evaluations in minutes).
    /// </summary>
    public static DifferentialResult Run(
        RulesEngineOracle oracle, string workflowFileJson, string workflowName, IReadOnlyDictionary<string, JsonElement> inputs, IRuleFunctions? functions = null)
    {
        var types = new Dictionary<string, RuleType>(StringComparer.Ordinal);
        var values = new RuleInputs();
        foreach (var (name, json) in inputs)
        {
            types[name] = RuleType.InferInput(json);
            values.SetJson(name, json, types[name]);
        }
        return Run(oracle, workflowFileJson, workflowName, inputs, types, values, functions);
    }

    /// <summary>As above, with our inputs typed by the caller (a template's schemas, say).</summary>
    public static DifferentialResult Run(
        string workflowFileJson, string workflowName, IReadOnlyDictionary<string, JsonElement> inputs,
        IReadOnlyDictionary<string, RuleType> types, RuleInputs values, IRuleFunctions? functions = null) =>
        Run(RulesEngineOracle.Load(workflowFileJson), workflowFileJson, workflowName, inputs, types, values, functions);

    private static DifferentialResult Run(
        RulesEngineOracle oracle, string workflowFileJson, string workflowName, IReadOnlyDictionary<string, JsonElement> inputs,
        IReadOnlyDictionary<string, RuleType> types, RuleInputs values, IRuleFunctions? functions)
    {
        var theirs = oracle.Run(workflowName, inputs);
        var read = WorkflowReader.Read("workflow.json", workflowFileJson);
        if (read.HasFileErrors)
        {
            var refused = string.Join("; ", read.Diagnostics.Where(d => d.IsError).Select(d => $"{d.Code} {d.Message}"));
            return new DifferentialResult(read.Diagnostics, [], theirs,
                [new RuleDifference("", DifferenceKind.Missing, $"refused at load: {refused}", theirs.Ran ? $"{theirs.Results.Count} rule results" : $"cannot run: {theirs.Failure}")]);
        }
        var compilation = WorkflowCompiler.Compile(read.Workflows, types, functions);
        var diagnostics = read.Diagnostics.Concat(compilation.Diagnostics).ToList();
        if (!compilation.Workflows.Contains(workflowName))
        {
            return new DifferentialResult(diagnostics, [], theirs,
                [new RuleDifference("", DifferenceKind.Missing, $"no workflow '{workflowName}'", theirs.Ran ? $"{theirs.Results.Count} rule results" : $"cannot run: {theirs.Failure}")]);
        }
        var ours = compilation.Workflows.Evaluate(workflowName, values);
        return new DifferentialResult(diagnostics, ours, theirs, ResultComparison.Compare(ours, theirs));
    }
}
