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

    private static readonly Lazy<(GuardedSchema Schema, JsonElement Text)> Compiled = new(Compile);

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
                var allowed = AllowedProperties(text, text, segments.Take(segments.Count - 1).ToList());
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

    private static (GuardedSchema, JsonElement) Compile()
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
        using var document = JsonDocument.Parse(json);
        return (schema, document.RootElement.Clone());
    }

    /// <summary>The property names the schema allows for the object at <paramref name="segments"/>, following properties, items and local $refs.</summary>
    private static List<string> AllowedProperties(JsonElement root, JsonElement schema, IReadOnlyList<string> segments) =>
        SubschemaAt(root, segments, schema) is { } found && found.TryGetProperty("properties", out var names) ? [.. names.EnumerateObject().Select(p => p.Name)] : [];

    /// <summary>The subschema that applies at <paramref name="segments"/> of a manifest, or null.</summary>
    private static JsonElement? SubschemaAt(JsonElement root, IReadOnlyList<string> segments, JsonElement? start = null)
    {
        var schema = Resolve(root, start ?? root);
        foreach (var segment in segments)
        {
            if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(segment, out var property))
            {
                schema = Resolve(root, property);
            }
            else if (schema.TryGetProperty("items", out var items) && int.TryParse(segment, out _))
            {
                schema = Resolve(root, items);
            }
            else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
            {
                schema = Resolve(root, additional);
            }
            else
            {
                return null;
            }
        }

        return schema;
    }

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        for (var hops = 0; hops < 16 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference); hops++)
        {
            var target = root;
            foreach (var part in (reference.GetString() ?? "").TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!target.TryGetProperty(part, out target))
                {
                    return schema;
                }
            }

            schema = target;
        }

        return schema;
    }

    /// <summary>A path as a designer writes it: <c>measurementPlan.points[1].offsetMonths</c>.</summary>
    private static string Dotted(IReadOnlyList<string> segments) =>
        string.Concat(segments.Select((s, i) => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _) ? $"[{s}]" : i == 0 ? s : "." + s));

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
