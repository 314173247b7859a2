using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// A manifest workflow compiled against its inputs' types: run per participant (<c>participant</c> scope) or once
/// per cohort (<c>cohort</c> scope).
/// </summary>
public sealed class TemplateWorkflow
{
    public required string Name { get; init; }

    public required string Scope { get; init; }

    /// <summary>Every input the workflow's rules may read, with the type its data is converted to.</summary>
    public required IReadOnlyDictionary<string, RuleType> InputTypes { get; init; }

    /// <summary>The compiled rules; evaluate with <see cref="Name"/>.</summary>
    public required CompiledWorkflowSet Compiled { get; init; }

    public bool IsParticipantScoped => Scope == "participant";
}
