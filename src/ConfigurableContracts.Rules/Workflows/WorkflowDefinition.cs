using System.Text.Json;
using ConfigurableContracts.Rules.Syntax;

namespace ConfigurableContracts.Rules.Workflows;

/// <summary>A RulesEngine workflow as read from a file, with the location of each part for diagnostics.</summary>
public sealed record WorkflowDefinition
{
    public required string Name { get; init; }
    public IReadOnlyList<string> WorkflowsToInject { get; init; } = [];
    public IReadOnlyList<ScopedParamDefinition> GlobalParams { get; init; } = [];
    public IReadOnlyList<RuleDefinition> Rules { get; init; } = [];
    public required SourceLocation Location { get; init; }

    /// <summary>The workflow's JSON as written, for the content hash.</summary>
    public required JsonElement Source { get; init; }
}

/// <summary>How a rule with nested rules combines its children.</summary>
public enum RuleOperator
{
    /// <summary><c>And</c> or <c>AndAlso</c>.</summary>
    And,
    /// <summary><c>Or</c> or <c>OrElse</c>.</summary>
    Or,
}

/// <summary>A rule: either an expression, or an operator over nested rules.</summary>
public sealed record RuleDefinition
{
    /// <summary>Every rule of <paramref name="rules"/> and, depth first, every rule nested in them.</summary>
    public static IEnumerable<RuleDefinition> AllOf(IEnumerable<RuleDefinition> rules) =>
        rules.SelectMany(r => AllOf(r.Rules).Prepend(r));

    public required string Name { get; init; }
    public ExpressionSource? Expression { get; init; }
    public RuleOperator? Operator { get; init; }
    public IReadOnlyList<RuleDefinition> Rules { get; init; } = [];
    public IReadOnlyList<ScopedParamDefinition> LocalParams { get; init; } = [];

    /// <summary>Shown as the result's exception message when the rule is NotAchieved; may contain <c>$(input.path)</c>.</summary>
    public string? ErrorMessage { get; init; }
    public string? SuccessEvent { get; init; }
    public bool Enabled { get; init; } = true;
    public JsonElement? Properties { get; init; }
    public RuleActionDefinition? OnSuccess { get; init; }
    public RuleActionDefinition? OnFailure { get; init; }
    public required SourceLocation Location { get; init; }

    /// <summary>
    /// Errors the reader found in this rule itself (not in its nested rules), e.g. an unknown action or an
    /// <c>Enabled</c> that is not a boolean. They are also in the file's diagnostics, so a template with them does
    /// not load; <c>contracts eval</c> runs the file anyway and reports this rule as Error with the first of them.
    /// </summary>
    public IReadOnlyList<Diagnostic> ReadErrors { get; init; } = [];
}

/// <summary>A named expression: a GlobalParam, a LocalParam or an EvaluateRule additional input.</summary>
public sealed record ScopedParamDefinition(string Name, ExpressionSource Expression, SourceLocation Location);

/// <summary>The built-in actions of RulesEngine.</summary>
public enum RuleActionKind
{
    /// <summary>Evaluates <c>Context.Expression</c> as the rule's output.</summary>
    OutputExpression,
    /// <summary>Evaluates another rule (<c>Context.workflowName</c>, <c>Context.ruleName</c>) and takes its output.</summary>
    EvaluateRule,
}

/// <summary>An OnSuccess or OnFailure action.</summary>
public sealed record RuleActionDefinition
{
    public required RuleActionKind Kind { get; init; }
    public ExpressionSource? Expression { get; init; }
    public string? WorkflowName { get; init; }
    public string? RuleName { get; init; }

    /// <summary>Names of the current inputs passed on; null passes all of them.</summary>
    public IReadOnlyList<string>? InputFilter { get; init; }
    public IReadOnlyList<ScopedParamDefinition> AdditionalInputs { get; init; } = [];
    public required SourceLocation Location { get; init; }
}
