using System.Text.Json;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>A parameter (global, local or additional input) ready to evaluate into its slot.</summary>
internal sealed record CompiledParam(string Name, int Slot, Func<EvaluationFrame, object?>? Evaluate, string? BindError)
{
    /// <summary>The bound tree the closure was compiled from, for the typed tier.</summary>
    public BoundExpression? Bound { get; init; }
}

/// <summary>A compiled OnSuccess/OnFailure action.</summary>
internal sealed record CompiledAction(
    RuleActionKind Kind,
    Func<EvaluationFrame, object?>? Output,
    string? WorkflowName,
    string? RuleName,
    IReadOnlyList<string>? InputFilter,
    IReadOnlyList<CompiledParam> AdditionalInputs)
{
    /// <summary>The output expression's bound tree, for the typed tier.</summary>
    public BoundExpression? OutputBound { get; init; }
}

/// <summary>A rule ready to run. <see cref="BindError"/> is set when it did not bind: it then reports Error.</summary>
internal sealed record CompiledRule
{
    public required string Name { get; init; }
    public Func<EvaluationFrame, object?>? Condition { get; init; }

    /// <summary>The bound tree <see cref="Condition"/> was compiled from, for the typed tier.</summary>
    public BoundExpression? ConditionBound { get; init; }
    public RuleOperator? Operator { get; init; }
    public CompiledRule[] Children { get; init; } = [];
    public CompiledParam[] LocalParams { get; init; } = [];
    public CompiledAction? OnSuccess { get; init; }
    public CompiledAction? OnFailure { get; init; }
    public Func<EvaluationFrame, string>? ErrorMessage { get; init; }
    public string? SuccessEvent { get; init; }
    public JsonElement? Properties { get; init; }
    public string? BindError { get; init; }

    /// <summary>
    /// The result of this rule when Achieved with no output, reason or children. Result trees are immutable, so
    /// one instance can be returned by every evaluation on every thread instead of allocating ten per participant.
    /// </summary>
    public RuleResultTree Achieved => field ??= Shared(RuleStatus.Achieved);

    /// <summary>Like <see cref="Achieved"/>, for NotAchieved without an ErrorMessage to format.</summary>
    public RuleResultTree NotAchieved => field ??= Shared(RuleStatus.NotAchieved);

    private RuleResultTree Shared(RuleStatus status) => new()
    {
        RuleName = Name,
        Status = status,
        SuccessEvent = SuccessEvent,
        Properties = Properties,
    };
}

/// <summary>
/// A workflow ready to run: input slots, global parameters in order, and its (and injected) rules. Arrays rather
/// than interfaces, because evaluation loops over them for every participant and must not allocate enumerators.
/// </summary>
internal sealed record CompiledWorkflow(
    string Name,
    Symbol[] Inputs,
    CompiledParam[] GlobalParams,
    CompiledRule[] Rules,
    int SlotCount)
{
    /// <summary>
    /// Where each input was found in the last <see cref="RuleInputs"/> evaluated, so the next lookup is one compare.
    /// Shared by threads without a lock: a guess is always checked before use, so a stale or torn one only costs
    /// a search.
    /// </summary>
    public int[] InputPositions { get; } = [.. Enumerable.Range(0, Inputs.Length)];

    /// <summary>The typed tier of this workflow, or null when it runs on the closures alone.</summary>
    public TypedTier? Typed { get; init; }
}
