namespace ConfigurableContracts.Conformance;

/// <summary>One rule's answer from Microsoft RulesEngine, in the terms its users read.</summary>
/// <param name="ExceptionMessage">RulesEngine's message when the rule (or its expression) failed; empty otherwise.</param>
/// <param name="Output">The OnSuccess/OnFailure action's output, as RulesEngine returned it.</param>
/// <param name="ActionException">The action's own exception message, when it threw.</param>
/// <param name="ErrorMessage">
/// The rule's formatted ErrorMessage, when the rule failed without an exception. RulesEngine reports it in the same
/// ExceptionMessage field as exceptions; it is split out here so that a plain failure is not mistaken for an error.
/// </param>
public sealed record OracleRuleResult(
    string RuleName,
    bool IsSuccess,
    string ExceptionMessage,
    object? Output,
    string? ActionException,
    IReadOnlyList<OracleRuleResult> Children,
    string? ErrorMessage = null)
{
    /// <summary>The rule failed rather than decided: RulesEngine's counterpart of our Error status.</summary>
    public bool HasError => ExceptionMessage.Length > 0 || ActionException is not null;
}

/// <summary>A workflow run on RulesEngine: its rule results, or why RulesEngine could not run it at all.</summary>
public sealed record OracleRun(IReadOnlyList<OracleRuleResult> Results, string? Failure)
{
    public bool Ran => Failure is null;
}
