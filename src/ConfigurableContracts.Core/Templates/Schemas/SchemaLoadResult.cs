using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>Either a <see cref="GuardedSchema"/> or the diagnostics that explain why the schema was refused.</summary>
public sealed record SchemaLoadResult(GuardedSchema? Schema, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Schema is not null;
}
