using ConfigurableContracts.Rules.Compilation;
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

    /// <summary>
    /// Each input's type as the manifest declares it (<c>date</c>, a schema key, or <c>key[]</c>): inputs are given
    /// their values by this type, never by their names — see <see cref="InputSource"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> DeclaredInputs { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>What binding found beyond diagnostics (fields read, output types); null for a compilation taken from the cache of an older load.</summary>
    public CompilationFacts? Facts { get; init; }

    /// <summary>The compiled rules; evaluate with <see cref="Name"/>.</summary>
    public required CompiledWorkflowSet Compiled { get; init; }

    public bool IsParticipantScoped => Scope == "participant";

    /// <summary>Where the value of input <paramref name="name"/> comes from, by its declared type.</summary>
    public InputSource SourceOf(string name) => SourceOfType(DeclaredInputs.GetValueOrDefault(name));

    /// <summary>
    /// Where an input of manifest type <paramref name="declaredType"/> takes its value from: the one reading of input
    /// types, shared by the evaluator and the manifest checks that refuse inputs nothing can fill.
    /// </summary>
    public static InputSource SourceOfType(string? declaredType) => declaredType switch
    {
        "date" => InputSource.EvaluationDate,
        "contract" => InputSource.Contract,
        "participant" => InputSource.Participant,
        { } type when type.EndsWith("[]", StringComparison.Ordinal) => InputSource.Cohort,
        _ => InputSource.Measurement,
    };
}

/// <summary>Where the platform takes a workflow input's value from; the loader refuses inputs it cannot give one.</summary>
public enum InputSource
{
    /// <summary>The date the evaluation is as of.</summary>
    EvaluationDate,

    /// <summary>The contract's parameters.</summary>
    Contract,

    /// <summary>The participant record.</summary>
    Participant,

    /// <summary>The measurement of the plan point whose <c>input</c> names the input.</summary>
    Measurement,

    /// <summary>The cohort members (cohort workflows).</summary>
    Cohort,
}
