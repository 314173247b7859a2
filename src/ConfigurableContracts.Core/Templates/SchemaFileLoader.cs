using System.Text.Json;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates.Schemas;
using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Loads one template JSON Schema through the <see cref="SchemaGuard"/>: a schema is either refused with located
/// diagnostics, or every keyword in it is enforced when documents are validated.
/// </summary>
internal static class SchemaFileLoader
{
    private static readonly SchemaGuard Guard = new();

    public static IDocumentSchema? Load(string templateFolder, string path, string displayPath, List<Diagnostic> diagnostics)
    {
        var result = Guard.LoadAsync(templateFolder, path).GetAwaiter().GetResult();
        // The guard names the file by the path it was given; the template's diagnostics name it as the designer does.
        diagnostics.AddRange(result.Diagnostics.Select(d => d with { Location = d.Location with { Path = displayPath } }));
        return result.Schema is { } schema ? new GuardedDocumentSchema(schema) : null;
    }

    private sealed class GuardedDocumentSchema(GuardedSchema schema) : IDocumentSchema
    {
        public IReadOnlyList<DocumentError> Validate(JsonElement document) =>
            schema.Validate(document);
    }
}
