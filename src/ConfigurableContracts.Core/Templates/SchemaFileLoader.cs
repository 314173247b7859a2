using System.Text.Json;
using ConfigurableContracts.Rules;
using NJsonSchema;

namespace ConfigurableContracts.Core.Templates;

/// <summary>Loads one template JSON Schema file into an <see cref="IDocumentSchema"/>, reporting problems as diagnostics.</summary>
internal static class SchemaFileLoader
{
    public static IDocumentSchema? Load(string templateFolder, string path, string displayPath, List<Diagnostic> diagnostics)
    {
        try
        {
            var schema = JsonSchema.FromJsonAsync(File.ReadAllText(path), templateFolder).GetAwaiter().GetResult();
            return new NJsonDocumentSchema(schema);
        }
        catch (Exception exception) when (exception is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            diagnostics.Add(new Diagnostic("CCT0112", DiagnosticSeverity.Error, $"The schema cannot be loaded: {exception.Message}", new SourceLocation(displayPath, 1, 1)));
            return null;
        }
    }

    private sealed class NJsonDocumentSchema(JsonSchema schema) : IDocumentSchema
    {
        public IReadOnlyList<DocumentError> Validate(JsonElement document) =>
            schema.Validate(document.GetRawText())
                .Select(e => new DocumentError("$" + (string.IsNullOrEmpty(e.Path) ? "" : "." + e.Path.TrimStart('#', '/').Replace('/', '.')), e.Kind.ToString()))
                .ToList();
    }
}
