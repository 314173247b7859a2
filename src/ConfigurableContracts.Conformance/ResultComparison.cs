using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Conformance;

/// <summary>What differs between our rule result and RulesEngine's.</summary>
public enum DifferenceKind
{
    /// <summary>One engine has the rule, the other does not (or RulesEngine could not run the workflow).</summary>
    Missing,

    /// <summary>isSuccess differs while neither failed.</summary>
    Success,

    /// <summary>One engine failed the rule (our Error, RulesEngine's exception message) and the other did not.</summary>
    Error,

    /// <summary>Both succeeded or both failed alike, but the action outputs differ.</summary>
    Output,

    /// <summary>Both failed without an error, but the formatted ErrorMessage differs (a $(…) placeholder, say).</summary>
    Message,
}

/// <summary>One disagreement, at a rule's path (parent rule names joined with '/').</summary>
public sealed record RuleDifference(string RulePath, DifferenceKind Kind, string Ours, string Theirs)
{
    public override string ToString() => $"{RulePath}: {Kind}: ours {Ours}, RulesEngine {Theirs}";
}

/// <summary>
/// Compares our result trees with RulesEngine's, rule by rule: isSuccess, error or no error, the action output, and
/// the formatted ErrorMessage of a rule that failed.
/// Our NotEvaluable is "not successful, no error" — RulesEngine has no third result, so where it throws on the
/// missing value instead, that shows as an Error difference for the caller to judge.
/// </summary>
public static class ResultComparison
{
    public static IReadOnlyList<RuleDifference> Compare(IReadOnlyList<RuleResultTree> ours, OracleRun theirs)
    {
        if (!theirs.Ran)
            return [new RuleDifference("", DifferenceKind.Missing, $"{ours.Count} rule results", $"cannot run: {theirs.Failure}")];
        var differences = new List<RuleDifference>();
        Compare(ours, theirs.Results, "", differences);
        return differences;
    }

    private static void Compare(IReadOnlyList<RuleResultTree> ours, IReadOnlyList<OracleRuleResult> theirs, string parent, List<RuleDifference> differences)
    {
        var theirsByName = theirs.GroupBy(r => r.RuleName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var our in ours)
        {
            var path = parent.Length == 0 ? our.RuleName : $"{parent}/{our.RuleName}";
            theirsByName.Remove(our.RuleName, out var their);
            if (CompareRule(path, our, their) is { } difference) differences.Add(difference);
            if (their is not null) Compare(our.ChildResults ?? [], their.Children, path, differences);
        }
        foreach (var their in theirsByName.Values)
            differences.Add(new RuleDifference(parent.Length == 0 ? their.RuleName : $"{parent}/{their.RuleName}", DifferenceKind.Missing, "no result", Describe(their)));
    }

    /// <summary>One rule's difference, its children aside; null when the two answers agree.</summary>
    public static RuleDifference? CompareRule(string path, RuleResultTree ours, OracleRuleResult? theirs)
    {
        if (theirs is null) return new RuleDifference(path, DifferenceKind.Missing, Describe(ours), "no result");
        var ourError = ours.Status == RuleStatus.Error;
        if (ourError != theirs.HasError) return new RuleDifference(path, DifferenceKind.Error, Describe(ours), Describe(theirs));
        if (ours.IsSuccess != theirs.IsSuccess) return new RuleDifference(path, DifferenceKind.Success, Describe(ours), Describe(theirs));
        if (!ourError && !OracleValues.Equal(ours.ActionOutput, theirs.Output))
            return new RuleDifference(path, DifferenceKind.Output, OracleValues.Describe(ours.ActionOutput), OracleValues.Describe(theirs.Output));
        if (ours.Status == RuleStatus.NotAchieved && theirs.ErrorMessage is not null && ours.ExceptionMessage != theirs.ErrorMessage)
            return new RuleDifference(path, DifferenceKind.Message, $"message \"{ours.ExceptionMessage}\"", $"message \"{theirs.ErrorMessage}\"");
        return null;
    }

    private static string Describe(RuleResultTree result) => result.Status switch
    {
        RuleStatus.Error => $"Error ({result.Reason})",
        RuleStatus.NotEvaluable => $"NotEvaluable ({result.Reason})",
        _ => $"{result.Status}, output {OracleValues.Describe(result.ActionOutput)}",
    };

    private static string Describe(OracleRuleResult result) =>
        result.HasError
            ? $"exception ({(result.ExceptionMessage.Length > 0 ? result.ExceptionMessage : result.ActionException)})"
            : $"isSuccess {(result.IsSuccess ? "true" : "false")}, output {OracleValues.Describe(result.Output)}";
}
