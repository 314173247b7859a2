using System.Text.Json;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>A parameter (global, local or additional input) ready to evaluate into its slot.</summary>
internal sealed record CompiledParam(string Name, int Slot, Func<EvaluationFrame, object?>? Evaluate, string? BindError);

/// <summary>A compiled OnSuccess/OnFailure action.</summary>
internal sealed record CompiledAction(
    RuleActionKind Kind,
    Func<EvaluationFrame, object?>? Output,
    string? WorkflowName,
    string? RuleName,
    IReadOnlyList<string>? InputFilter,
    IReadOnlyList<CompiledParam> AdditionalInputs);

/// <summary>A rule ready to run. <see cref="BindError"/> is set when it did not bind: it then reports Error.</summary>
internal sealed record CompiledRule
{
    public required string Name { get; init; }
    public Func<EvaluationFrame, object?>? Condition { get; init; }
    public RuleOperator? Operator { get; init; }
    public IReadOnlyList<CompiledRule> Children { get; init; } = [];
    public IReadOnlyList<CompiledParam> LocalParams { get; init; } = [];
    public CompiledAction? OnSuccess { get; init; }
    public CompiledAction? OnFailure { get; init; }
    public Func<EvaluationFrame, string>? ErrorMessage { get; init; }
    public string? SuccessEvent { get; init; }
    public JsonElement? Properties { get; init; }
    public string? BindError { get; init; }
}

/// <summary>A workflow ready to run: input slots, global parameters in order, and its (and injected) rules.</summary>
internal sealed record CompiledWorkflow(
    string Name,
    IReadOnlyList<Symbol> Inputs,
    IReadOnlyList<CompiledParam> GlobalParams,
    IReadOnlyList<CompiledRule> Rules,
    int SlotCount);
