using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Guarded schemas as one self-contained draft-07 document, for tools that read a single schema, such as NJsonSchema's
/// code generator: each schema under <c>definitions</c> by the name the caller gives it, every other file they reach
/// under a name of its own, and every <c>$ref</c> rewritten to point inside the document to where the guard resolved
/// it. Nothing is resolved a second time, so a tool reading the result can reach neither a file nor a URL, and a file
/// that several schemas use is there once.
/// </summary>
public static class SchemaBundle
{
    public const string DraftSeven = "http://json-schema.org/draft-07/schema#";

    /// <summary>
    /// Combines <paramref name="schemas"/> in the given order. Names must be distinct; a schema whose file is already
    /// in the bundle under an earlier name becomes a <c>$ref</c> to it.
    /// </summary>
    public static JsonObject Combine(IReadOnlyList<KeyValuePair<string, GuardedSchema>> schemas)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal); // full path → key under definitions
        var sources = new Dictionary<string, SchemaSource>(StringComparer.Ordinal);
        var aliases = new List<(string Name, string Key)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, schema) in schemas)
        {
            if (!names.Add(name))
                throw new ArgumentException($"the name '{name}' is given to two schemas", nameof(schemas));
            var root = schema.Sources[0];
            if (keys.TryGetValue(root.FullPath, out var earlier))
            {
                aliases.Add((name, earlier));
                continue;
            }

            keys[root.FullPath] = name;
            sources[root.FullPath] = root;
        }

        // Files reached only through $refs are named after the file, never taking a name the caller chose.
        foreach (var source in schemas.SelectMany(s => s.Value.Sources.Skip(1)))
        {
            if (keys.ContainsKey(source.FullPath))
                continue;
            keys[source.FullPath] = UniqueKey(FileKey(source.FullPath), names);
            sources[source.FullPath] = source;
        }

        var definitions = new JsonObject();
        foreach (var (path, key) in keys)
            definitions[key] = SelfContained(sources[path], keys);
        foreach (var (name, key) in aliases)
            definitions[name] = new JsonObject { ["$ref"] = Reference(key, "") };

        return new JsonObject { ["$schema"] = DraftSeven, ["definitions"] = definitions };
    }

    private static JsonNode SelfContained(SchemaSource source, Dictionary<string, string> keys)
    {
        // The guard has bounded the file's depth already; its own limit is configurable, so none is applied again here.
        var node = JsonNode.Parse(source.Text, documentOptions: new JsonDocumentOptions { MaxDepth = int.MaxValue })!;
        foreach (var reference in source.References)
        {
            var holder = (JsonObject)At(node, reference.FromPointer);
            holder["$ref"] = Reference(keys[reference.ToFile], reference.ToPointer);
        }

        if (node is JsonObject root)
        {
            // Both name the file's own place and dialect; inside the bundle they would only make a reader resolve again.
            root.Remove("$id");
            root.Remove("$schema");
        }

        return node;
    }

    private static string Reference(string key, string pointer) =>
        "#" + EncodeFragment("/definitions/" + EscapeToken(key) + pointer);

    private static JsonNode At(JsonNode node, string pointer)
    {
        foreach (var segment in pointer.Split('/').Skip(1))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node is JsonArray array ? array[int.Parse(name, NumberStyles.None, CultureInfo.InvariantCulture)]! : node[name]!;
        }

        return node;
    }

    private static string FileKey(string fullPath)
    {
        var name = Path.GetFileName(fullPath);
        foreach (var suffix in new[] { ".schema.json", ".json" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                name = name[..^suffix.Length];
                break;
            }
        }

        var key = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
        return key.Length == 0 ? "schema" : key;
    }

    private static string UniqueKey(string key, HashSet<string> taken)
    {
        var candidate = key;
        for (var i = 2; !taken.Add(candidate); i++)
            candidate = key + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }

    private static string EscapeToken(string token) =>
        token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>A JSON pointer as a URI fragment: characters a fragment cannot hold are percent-encoded as UTF-8.</summary>
    private static string EncodeFragment(string pointer)
    {
        var builder = new StringBuilder(pointer.Length);
        foreach (var b in Encoding.UTF8.GetBytes(pointer))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?".Contains(c, StringComparison.Ordinal)))
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
