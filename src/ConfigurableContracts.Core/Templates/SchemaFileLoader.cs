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

    public static IDocumentSchema? Load(string templateFolder, string path, string displayPath, List<Diagnostic> diagnostics) =>
        Located(Guard.LoadAsync(templateFolder, path).GetAwaiter().GetResult(), displayPath, diagnostics);

    /// <summary>Loads the schema at <paramref name="path"/> from a template's files as read for one load.</summary>
    public static IDocumentSchema? Load(string templateFolder, string path, string displayPath, TemplateFiles files, List<Diagnostic> diagnostics) =>
        Located(Guard.LoadAsync(templateFolder, path, files).GetAwaiter().GetResult(), displayPath, diagnostics);

    private static GuardedDocumentSchema? Located(SchemaLoadResult result, string displayPath, List<Diagnostic> diagnostics)
    {
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
