using System.Text.Json;

namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// The outcome of a rule. Unlike RulesEngine's true/false, a rule can also be NotEvaluable (data it needs is not
/// there yet) or Error (it could not run), so a missing follow-up is never mistaken for a failed outcome.
/// </summary>
public enum RuleStatus
{
    Achieved,
    NotAchieved,
    NotEvaluable,
    Error,
}

/// <summary>
/// One rule's result, shaped like RulesEngine's <c>RuleResultTree</c> (name, success, exception message, action
/// output, child results) plus <see cref="Status"/> and <see cref="Reason"/>.
/// </summary>
public sealed record RuleResultTree
{
    public required string RuleName { get; init; }

    public required RuleStatus Status { get; init; }

    /// <summary>True exactly when <see cref="Status"/> is Achieved.</summary>
    public bool IsSuccess => Status == RuleStatus.Achieved;

    /// <summary>The rule's interpolated ErrorMessage when NotAchieved, the failure when Error, otherwise "".</summary>
    public string ExceptionMessage { get; init; } = "";

    /// <summary>Why the rule is NotEvaluable or Error (e.g. "'followUp6.score' is missing"); null otherwise.</summary>
    public string? Reason { get; init; }

    /// <summary>The value of the OnSuccess/OnFailure action that ran, if any (decimal for money).</summary>
    public object? ActionOutput { get; init; }

    /// <summary>Results of every nested rule, in order; null for a rule without nested rules.</summary>
    public IReadOnlyList<RuleResultTree>? ChildResults { get; init; }

    public string? SuccessEvent { get; init; }

    /// <summary>The rule's Properties object from the workflow file, if any.</summary>
    public JsonElement? Properties { get; init; }
}

/// <summary>Lookup of results by rule path, as test files and payment models name them ("Parent/Child").</summary>
public static class RuleResultTreeExtensions
{
    /// <summary>The result at <paramref name="path"/> (rule names separated by '/'), or null.</summary>
    public static RuleResultTree? Find(this IReadOnlyList<RuleResultTree> results, string path)
    {
        IReadOnlyList<RuleResultTree>? level = results;
        RuleResultTree? found = null;
        foreach (var name in path.Split('/'))
        {
            found = level?.FirstOrDefault(r => r.RuleName == name);
            if (found is null) return null;
            level = found.ChildResults;
        }
        return found;
    }
}
