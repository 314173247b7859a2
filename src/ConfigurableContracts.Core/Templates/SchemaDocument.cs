using System.Text.Json;
using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// One of a template's JSON Schema files as a tree the manifest checks can walk: a parameter path such as
/// <c>providers[].prices.outcomePayment</c> is followed through <c>properties</c>, <c>items</c> and local
/// <c>$ref</c>s to the subschema it names, which is then located in the file for diagnostics.
/// </summary>
internal sealed class SchemaDocument(string key, string displayPath, JsonElement root, JsonPositions locator)
{
    public string Key { get; } = key;

    public string DisplayPath { get; } = displayPath;

    public JsonElement Root { get; } = root;

    public static SchemaDocument Parse(string key, string displayPath, string text)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
        return new SchemaDocument(key, displayPath, document.RootElement.Clone(), JsonPositions.Index(text));
    }

    /// <summary>Where the subschema at <paramref name="pointer"/> (a pointer into the schema file) starts.</summary>
    public Rules.SourceLocation Locate(string pointer)
    {
        var (line, column) = locator.Locate(pointer);
        return new Rules.SourceLocation(DisplayPath, line, column);
    }

    /// <summary>
    /// The subschema a dotted path names, with its pointer in the file and whether every step is required; or, when a
    /// step does not resolve, the step and the names that were possible there.
    /// </summary>
    public SchemaStep Find(string path)
    {
        var (node, pointer) = Resolve(Root, "");
        var required = true;
        var walked = new List<string>();
        foreach (var part in path.Split('.'))
        {
            var isArray = part.EndsWith("[]", StringComparison.Ordinal);
            var name = isArray ? part[..^2] : part;
            var names = PropertyNames(node);
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("properties", out var properties)
                || properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var child))
            {
                return new SchemaStep(path, default, pointer, false, string.Join('.', walked.Append(name)), names);
            }

            required &= IsRequired(node, name);
            (node, pointer) = Resolve(child, $"{pointer}/properties/{name}");
            walked.Add(part);
            if (isArray)
            {
                if (!node.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Object)
                {
                    return new SchemaStep(path, default, pointer, false, string.Join('.', walked), []) { NotAnArray = true };
                }

                (node, pointer) = Resolve(items, pointer + "/items");
            }
        }

        return new SchemaStep(path, node, pointer, required, null, []);
    }

    /// <summary>The property names an object subschema declares, through a local <c>$ref</c>.</summary>
    public IReadOnlyList<string> PropertyNames(JsonElement node) =>
        Resolve(node, "").Node is { ValueKind: JsonValueKind.Object } resolved && resolved.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? [.. properties.EnumerateObject().Select(p => p.Name)]
            : [];

    /// <summary>The <c>type</c> names of a subschema (a name or an array of names); empty when it states none.</summary>
    public static IReadOnlySet<string> Types(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("type", out var type))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal) { type.GetString() ?? "" };
    }

    /// <summary>The string values of a subschema's <c>enum</c>, or null when it has none.</summary>
    public IReadOnlyList<string>? StringEnum(JsonElement node)
    {
        node = Resolve(node, "").Node;
        return node.ValueKind == JsonValueKind.Object && node.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array
            ? [.. values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : null;
    }

    public static decimal? Number(JsonElement node, string keyword) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDecimal() : null;

    /// <summary>Follows local <c>$ref</c>s (<c>#/definitions/x</c>) to the subschema they name, keeping its pointer.</summary>
    public (JsonElement Node, string Pointer) Resolve(JsonElement node, string pointer)
    {
        for (var hops = 0; hops < 16 && node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference)
            && reference.GetString() is ['#', '/', .. var local]; hops++)
        {
            var target = Root;
            foreach (var part in local.Split('/'))
            {
                if (!target.TryGetProperty(part, out target))
                {
                    return (node, pointer);
                }
            }

            (node, pointer) = (target, "/" + local);
        }

        return (node, pointer);
    }

    private static bool IsRequired(JsonElement node, string name) =>
        node.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
        && required.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.String && r.GetString() == name);
}

/// <summary>
/// Where a path led in a schema: the subschema (<see cref="Found"/>), or the first step that does not exist
/// (<see cref="Missing"/>) with the names possible there, for a did-you-mean.
/// </summary>
internal sealed record SchemaStep(string Path, JsonElement Node, string Pointer, bool Required, string? Missing, IReadOnlyList<string> Candidates)
{
    public bool Found => Missing is null && !NotAnArray;

    /// <summary>A <c>[]</c> step stood on something that is not an array with <c>items</c>.</summary>
    public bool NotAnArray { get; init; }
}
