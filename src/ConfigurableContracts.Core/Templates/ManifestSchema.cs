using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Templates.Schemas;
using ConfigurableContracts.Rules.Binding;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// <c>schemas/template-manifest.schema.json</c>, the editor schema of every <c>template.json</c>, compiled into the
/// loader: the file is embedded from the repository at build time, so the loader and a designer's editor check a
/// manifest against the very same text and can never disagree about what a manifest may say.
/// </summary>
internal static class ManifestSchema
{
    public const string ResourceName = "template-manifest.schema.json";

    private static readonly Lazy<(GuardedSchema Schema, SchemaDocument Text)> Compiled = new(Compile);

    /// <summary>
    /// Every way <paramref name="manifest"/> breaks the schema, as a JSON pointer into the manifest and a message; an
    /// unknown property comes with the closest allowed name.
    /// </summary>
    public static IEnumerable<(string Pointer, string Message)> Validate(JsonElement manifest)
    {
        var (schema, text) = Compiled.Value;
        foreach (var error in schema.Validate(manifest))
        {
            var segments = InstancePath.Parse(error.Path);
            var pointer = segments.Count == 0 ? "" : "/" + string.Join('/', segments.Select(Escape));
            var message = error.Message;
            if (message == "is not an allowed property here" && segments.Count > 0)
            {
                var allowed = SubschemaAt(text, segments.Take(segments.Count - 1).ToList()) is { } parent ? text.PropertyNames(parent) : [];
                var name = segments[^1];
                message = $"'{name}' is not a manifest field here{(allowed.Count > 0 ? $" (allowed: {string.Join(", ", allowed)})" : "")}.{NameSuggestions.Hint(name, allowed)}";
            }
            else if (message.StartsWith("does not match the pattern", StringComparison.Ordinal)
                && SubschemaAt(text, segments) is { } described && described.TryGetProperty("description", out var description))
            {
                // A regular expression helps nobody who mistyped a version; the field's own description does.
                message = $"'{Dotted(segments)}' does not have the form this field needs: {description.GetString()}";
            }
            else
            {
                message = $"'{(segments.Count == 0 ? "the manifest" : Dotted(segments))}' {message}.";
            }

            yield return (pointer, message);
        }
    }

    private static (GuardedSchema, SchemaDocument) Compile()
    {
        using var stream = typeof(ManifestSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var json = reader.ReadToEnd();

        // The guard wants a file inside a folder; the schema has no file references, so any folder will do.
        var folder = Path.GetFullPath(AppContext.BaseDirectory);
        var result = new SchemaGuard().LoadTextAsync(folder, Path.Combine(folder, ResourceName), json).GetAwaiter().GetResult();
        var schema = result.Schema
            ?? throw new InvalidOperationException($"The embedded {ResourceName} does not load: {string.Join("; ", result.Diagnostics.Select(d => d.Message))}");
        return (schema, SchemaDocument.Parse("manifest", ResourceName, json));
    }

    /// <summary>The subschema that applies at <paramref name="segments"/> of a manifest (through properties, items and local <c>$ref</c>s), or null.</summary>
    private static JsonElement? SubschemaAt(SchemaDocument schemaFile, IReadOnlyList<string> segments)
    {
        var schema = schemaFile.Root;
        foreach (var segment in segments)
        {
            if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(segment, out var property))
            {
                schema = schemaFile.Resolve(property, "").Node;
            }
            else if (schema.TryGetProperty("items", out var items) && int.TryParse(segment, out _))
            {
                schema = schemaFile.Resolve(items, "").Node;
            }
            else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
            {
                schema = schemaFile.Resolve(additional, "").Node;
            }
            else
            {
                return null;
            }
        }

        return schema;
    }

    /// <summary>A path as a designer writes it: <c>measurementPlan.points[1].offsetMonths</c>.</summary>
    private static string Dotted(IReadOnlyList<string> segments) =>
        string.Concat(segments.Select((s, i) => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _) ? $"[{s}]" : i == 0 ? s : "." + s));

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
