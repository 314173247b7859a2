using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>One rule on one input whose disagreement no documented difference explains.</summary>
public sealed record UndocumentedDisagreement(string Rule, int Input, IReadOnlyList<RuleDifference> Differences)
{
    public override string ToString() => $"rule {Rule}, input {Input}:\n  " + string.Join("\n  ", Differences);
}

/// <summary>What one fuzz case gave: how many rule × input cases were compared and how each disagreement was explained.</summary>
public sealed class FuzzOutcome
{
    public int Cases { get; set; }

    public int Agreeing { get; set; }

    /// <summary>Nested rules compared beside their top-level rule (not counted as cases).</summary>
    public int NestedComparisons { get; set; }

    public Dictionary<DocumentedDifference, int> Explained { get; } = [];

    public List<UndocumentedDisagreement> Undocumented { get; } = [];
}

/// <summary>
/// Runs a fuzz case on both engines through <see cref="Differential"/> and explains every disagreement. A rule's
/// disagreement is documented when the structural classifiers recognise each of its differences, or when a
/// counterfactual RulesEngine run — the same rules written so that RulesEngine computes as we do in one documented
/// respect (<see cref="FuzzVariant"/>) — agrees with us up to differences the structural classifiers recognise.
/// </summary>
public static class FuzzComparison
{
    private static readonly (FuzzVariant Variant, DocumentedDifference[] Explains)[] Counterfactuals =
    [
        (FuzzVariant.OurNumbers, [DocumentedDifference.Numbers]),
        (FuzzVariant.OurDates, [DocumentedDifference.Dates]),
        (FuzzVariant.OrdinalStrings, [DocumentedDifference.OrdinalStrings]),
        (FuzzVariant.OurNumbers | FuzzVariant.OurDates, [DocumentedDifference.Numbers, DocumentedDifference.Dates]),
        (FuzzVariant.OurNumbers | FuzzVariant.OrdinalStrings, [DocumentedDifference.Numbers, DocumentedDifference.OrdinalStrings]),
        (FuzzVariant.OurDates | FuzzVariant.OrdinalStrings, [DocumentedDifference.Dates, DocumentedDifference.OrdinalStrings]),
        (FuzzVariant.OurNumbers | FuzzVariant.OurDates | FuzzVariant.OrdinalStrings,
            [DocumentedDifference.Numbers, DocumentedDifference.Dates, DocumentedDifference.OrdinalStrings]),
    ];

    public static FuzzOutcome Run(FuzzCase fuzzCase)
    {
        var outcome = new FuzzOutcome();
        var workflow = fuzzCase.Workflow;
        var workflowJson = workflow.ToJson();
        var oracle = RulesEngineOracle.Load(workflowJson);
        var enabled = workflow.Rules.Where(r => r.Enabled).ToList();
        var runs = new List<(Dictionary<string, JsonElement> Inputs, DifferentialResult Result, Dictionary<string, List<RuleDifference>> Unexplained)>();
        for (var index = 0; index < fuzzCase.Inputs.Length; index++)
        {
            var input = fuzzCase.Inputs[index];
            var inputs = Inputs(input);
            var result = Differential.Run(oracle, workflowJson, FuzzWorkflow.Name, inputs);
            outcome.Cases += enabled.Count;
            outcome.NestedComparisons += enabled.Sum(r => r.SelfAndDescendants().Count(c => c.Enabled) - 1);
            var unexplained = new Dictionary<string, List<RuleDifference>>(StringComparer.Ordinal);
            runs.Add((inputs, result, unexplained));
            if (index < TypedTierCheck.InputsPerCase && TypedTierCheck.Disagreement(workflowJson, FuzzWorkflow.Name, inputs) is { } typedDifference)
                outcome.Undocumented.Add(new UndocumentedDisagreement("(typed tier)", index, [typedDifference]));
            if (result.Ours.Count == 0 || !result.Theirs.Ran)
            {
                outcome.Undocumented.Add(new UndocumentedDisagreement("(workflow)", index, result.Differences));
                continue;
            }
            var byRule = result.Differences.GroupBy(d => TopRule(d.RulePath)).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            outcome.Agreeing += enabled.Count(r => !byRule.ContainsKey(r.Name));
            foreach (var (rule, differences) in byRule)
            {
                if (Explain(differences, result.Ours, result.Theirs.Results, workflow, input) is { } explained)
                    Count(outcome, explained);
                else
                    unexplained[rule] = differences;
            }
        }

        // Counterfactual runs, one RulesEngine per variant for all inputs: the rules still unexplained, and the
        // targets of their EvaluateRule actions.
        foreach (var (variant, explains) in Counterfactuals)
        {
            var pending = runs.SelectMany(r => r.Unexplained.Keys).ToHashSet(StringComparer.Ordinal);
            if (pending.Count == 0) break;
            var rules = workflow.WithTargets(pending);
            // The inputs of a case share their null fields (see FuzzGenerators), so one rendering fits them all.
            var nullFields = fuzzCase.Inputs.SelectMany(i => i.NullFields()).ToHashSet(StringComparer.Ordinal);
            var variantOracle = RulesEngineOracle.Load(workflow.ToJson(variant, rules, nullFields));
            for (var index = 0; index < runs.Count; index++)
            {
                var (inputs, result, unexplained) = runs[index];
                if (unexplained.Count == 0) continue;
                var theirs = variantOracle.Run(FuzzWorkflow.Name, inputs);
                if (!theirs.Ran) continue;
                var ours = result.Ours.Where(r => rules.Contains(r.RuleName)).ToList();
                var remaining = ResultComparison.Compare(ours, theirs).GroupBy(d => TopRule(d.RulePath)).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
                foreach (var rule in unexplained.Keys.ToList())
                {
                    var left = remaining.GetValueOrDefault(rule) ?? [];
                    HashSet<DocumentedDifference>? structural = left.Count == 0 ? [] : Explain(left, result.Ours, theirs.Results, workflow, fuzzCase.Inputs[index]);
                    if (structural is null) continue;
                    Count(outcome, [.. explains, .. structural]);
                    unexplained.Remove(rule);
                }
            }
        }

        for (var index = 0; index < runs.Count; index++)
        {
            var (_, result, unexplained) = runs[index];
            foreach (var (rule, differences) in unexplained)
            {
                if (UnrunActionRefusedAtLoad(workflow, rule, differences, result, fuzzCase.Inputs[index]) is { } rest)
                    Count(outcome, [DocumentedDifference.Typos, .. rest]);
                else
                    outcome.Undocumented.Add(new UndocumentedDisagreement(rule, index, differences));
            }
        }
        return outcome;
    }

    /// <summary>
    /// #1: we refuse a rule at load because an action (its own or a nested rule's) does not bind (type-check) against
    /// these inputs; RulesEngine compiles an action only when it runs, and this one did not. Without the actions
    /// RulesEngine did not run, both engines agree.
    /// </summary>
    /// <returns>What else explains the rule without those actions (empty if it then agrees), or null.</returns>
    private static HashSet<DocumentedDifference>? UnrunActionRefusedAtLoad(
        FuzzWorkflow workflow, string ruleName, List<RuleDifference> differences, DifferentialResult result, FuzzInput input)
    {
        var theirs = result.Theirs.Results.FirstOrDefault(r => r.RuleName == ruleName);
        var rule = workflow.Rules.First(r => r.Name == ruleName);
        // Somewhere in the rule we refused something at load while RulesEngine answered.
        if (theirs is null || !differences.Any(d => d.Ours.Contains(": error CCR", StringComparison.Ordinal) && !d.Theirs.StartsWith("exception", StringComparison.Ordinal)))
            return null;
        var notRun = WithoutUnrunActions(rule, theirs);
        static int Actions(FuzzRule r) => r.SelfAndDescendants().Sum(x => (x.OnSuccess is null ? 0 : 1) + (x.OnFailure is null ? 0 : 1));
        if (Actions(notRun) == Actions(rule)) return null;
        // The rule without those actions is judged like any case (it may still differ as documented, say in numbers).
        var without = workflow with { Rules = workflow.Rules.Select(r => r.Name == ruleName ? notRun : r).ToImmutableArray() };
        var needed = without.WithTargets([ruleName]);
        var rerun = Run(new FuzzCase(without with { Rules = [.. without.Rules.Where(r => needed.Contains(r.Name))] }, [input]));
        return rerun.Undocumented.Count == 0 ? [.. rerun.Explained.Keys] : null;
    }

    /// <summary>The rule and its nested rules without the actions RulesEngine did not run (those of the branch not taken).</summary>
    private static FuzzRule WithoutUnrunActions(FuzzRule rule, OracleRuleResult theirs)
    {
        var children = rule.Children.Select(child => theirs.Children.FirstOrDefault(t => t.RuleName == child.Name) is { } their ? WithoutUnrunActions(child, their) : child);
        var pruned = theirs.IsSuccess ? rule with { OnFailure = null } : rule with { OnSuccess = null };
        return pruned with { Children = [.. children] };
    }

    public static Dictionary<string, JsonElement> Inputs(FuzzInput input)
    {
        using var document = JsonDocument.Parse(input.ToJson());
        return new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [FuzzInput.Name] = document.RootElement.Clone() };
    }

    /// <summary>
    /// The documented differences that explain every one of a rule's differences, or null if one is unexplained.
    /// Nested rules come first, so that a parent that only passes on its children's disagreement is explained by
    /// theirs; nested rules RulesEngine did not run at all come last, explained by their parent's failure.
    /// </summary>
    private static HashSet<DocumentedDifference>? Explain(
        List<RuleDifference> differences, IReadOnlyList<RuleResultTree> ours, IReadOnlyList<OracleRuleResult> theirs, FuzzWorkflow workflow, FuzzInput input)
    {
        var byPath = new Dictionary<string, IReadOnlySet<DocumentedDifference>>(StringComparer.Ordinal);
        var ordered = differences.Where(d => d.Kind != DifferenceKind.Missing).OrderByDescending(d => d.RulePath.Count(ch => ch == '/'))
            .Concat(differences.Where(d => d.Kind == DifferenceKind.Missing).OrderBy(d => d.RulePath.Count(ch => ch == '/')));
        foreach (var difference in ordered)
        {
            var path = difference.RulePath.Split('/');
            var related = difference.Kind == DifferenceKind.Missing
                ? byPath.Where(e => difference.RulePath.StartsWith(e.Key + "/", StringComparison.Ordinal)).SelectMany(e => e.Value)
                : byPath.Where(e => e.Key.StartsWith(difference.RulePath + "/", StringComparison.Ordinal)).SelectMany(e => e.Value);
            var context = new DisagreementContext(difference, Find(ours, path), Find(theirs, path), Find(workflow.Rules, path),
                workflow.Rules.First(r => r.Name == path[0]), path.Length > 1 ? Find(ours, path[..^1]) : null, path.Length > 1 ? Find(theirs, path[..^1]) : null,
                related.ToHashSet(), workflow, input, ours, theirs);
            if (DifferenceClassifier.Classify(context) is not { } documented) return null;
            byPath[difference.RulePath] = documented;
        }
        return byPath.Values.SelectMany(v => v).ToHashSet();
    }

    private static void Count(FuzzOutcome outcome, IEnumerable<DocumentedDifference> explained)
    {
        foreach (var documented in explained.Distinct())
            outcome.Explained[documented] = outcome.Explained.GetValueOrDefault(documented) + 1;
    }

    private static string TopRule(string path) => path.Split('/')[0];

    private static RuleResultTree? Find(IReadOnlyList<RuleResultTree> results, string[] path)
    {
        RuleResultTree? found = null;
        IReadOnlyList<RuleResultTree>? level = results;
        foreach (var name in path)
        {
            found = level?.FirstOrDefault(r => r.RuleName == name);
            level = found?.ChildResults;
        }
        return found;
    }

    private static OracleRuleResult? Find(IReadOnlyList<OracleRuleResult> results, string[] path)
    {
        OracleRuleResult? found = null;
        IReadOnlyList<OracleRuleResult>? level = results;
        foreach (var name in path)
        {
            found = level?.FirstOrDefault(r => r.RuleName == name);
            level = found?.Children;
        }
        return found;
    }

    private static FuzzRule? Find(IReadOnlyList<FuzzRule> rules, string[] path)
    {
        FuzzRule? found = null;
        IReadOnlyList<FuzzRule>? level = rules;
        foreach (var name in path)
        {
            found = level?.FirstOrDefault(r => r.Name == name);
            level = found?.Children;
        }
        return found;
    }

    /// <summary>The failure report: the case, then each undocumented disagreement with both answers.</summary>
    public static string Describe(FuzzCase fuzzCase, FuzzOutcome outcome)
    {
        var text = new StringBuilder();
        text.AppendLine("Undocumented disagreements with Microsoft RulesEngine:");
        foreach (var disagreement in outcome.Undocumented) text.AppendLine(disagreement.ToString());
        text.AppendLine(fuzzCase.ToString());
        return text.ToString();
    }
}
