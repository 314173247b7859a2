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
        Located(Guard.LoadAsync(templateFolder, path).GetAwaiter().GetResult(), path, displayPath, diagnostics);

    /// <summary>Loads the schema at <paramref name="path"/> from a template's files as read for one load.</summary>
    public static IDocumentSchema? Load(string templateFolder, string path, string displayPath, TemplateFiles files, List<Diagnostic> diagnostics) =>
        Located(Guard.LoadAsync(templateFolder, path, files).GetAwaiter().GetResult(), path, displayPath, diagnostics);

    private static GuardedDocumentSchema? Located(SchemaLoadResult result, string path, string displayPath, List<Diagnostic> diagnostics)
    {
        // The guard names each file by the full path it was given or reached through a $ref; the template's diagnostics
        // name it as the designer does, relative to the repository, so a refusal inside a $ref'd file points there.
        var folder = Path.GetDirectoryName(path)!;
        var displayFolder = Path.GetDirectoryName(displayPath) ?? "";
        diagnostics.AddRange(result.Diagnostics.Select(d => d with
        {
            Location = d.Location with
            {
                Path = d.Location.Path == path ? displayPath
                    : Path.Combine(displayFolder, Path.GetRelativePath(folder, d.Location.Path)).Replace('\\', '/'),
            },
        }));
        return result.Schema is { } schema ? new GuardedDocumentSchema(schema) : null;
    }

    private sealed class GuardedDocumentSchema(GuardedSchema schema) : IDocumentSchema
    {
        public IReadOnlyList<DocumentError> Validate(JsonElement document) =>
            schema.Validate(document);
    }
}
