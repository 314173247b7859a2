using System.Text.Json;
using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Guards the checked-in template files against drifting from the schemas that describe them: an editor that shows a
/// file as valid must be right, and the demo data must be data the template's own schemas accept.
/// </summary>
public sealed class EditorSchemaTests
{
    private const string DraftSevenMetaSchema = "http://json-schema.org/draft-07/schema#";

    /// <summary>
    /// The keywords the server's schema guard supports. A template schema using anything else could be refused at
    /// load time, or worse, have a constraint silently ignored, so the guard test refuses it first.
    /// </summary>
    private static readonly HashSet<string> GuardedKeywords = new(StringComparer.Ordinal)
    {
        "$schema", "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format",
        "minItems", "maxItems", "uniqueItems", "description", "title", "default", "examples", "$ref", "definitions",
    };

    private static readonly HashSet<string> GuardedFormats = new(StringComparer.Ordinal) { "date", "date-time" };

    /// <summary>Every JSON file under rules/ and schemas/, except demo data (which is checked against its template).</summary>
    public static TheoryData<string> EditorValidatedFiles() => new(
        RepositoryLayout.FilesUnder("rules", "*.json")
            .Concat(RepositoryLayout.FilesUnder("schemas", "*.json"))
            .Where(path => !IsExampleData(path)));

    /// <summary>Demo data: schemas/&lt;template&gt;/examples/*.json and *.jsonl.</summary>
    public static TheoryData<string> ExampleDataFiles() => new(
        RepositoryLayout.FilesUnder("schemas", "*.json*").Where(IsExampleData));

    /// <summary>The JSON Schemas that type a template's rule inputs: schemas/&lt;template&gt;/*.schema.json.</summary>
    public static TheoryData<string> TemplateSchemaFiles() => new(
        RepositoryLayout.FilesUnder("schemas", "*.schema.json").Where(path => path.Count(c => c == '/') == 2));

    [Theory]
    [MemberData(nameof(EditorValidatedFiles))]
    public async Task JsonFile_ValidatesAgainstTheSchemaItNames_WhenUnderRulesOrSchemas(string path)
    {
        var fullPath = RepositoryLayout.Full(path);
        var text = await File.ReadAllTextAsync(fullPath);
        var schemaReference = ReadSchemaReference(text);
        Assert.False(schemaReference is null, $"{path} has no top-level \"$schema\" naming its editor schema.");

        if (schemaReference == DraftSevenMetaSchema)
        {
            // The file is itself a JSON Schema: the guard must accept it, every $ref resolving, and it must say what it is for.
            await ShippedSchema.LoadAsync(fullPath);
            using var parsed = JsonDocument.Parse(text);
            Assert.False(string.IsNullOrWhiteSpace(parsed.RootElement.TryGetProperty("title", out var title) ? title.GetString() : null), $"{path} has no title.");
            Assert.False(string.IsNullOrWhiteSpace(parsed.RootElement.TryGetProperty("description", out var description) ? description.GetString() : null), $"{path} has no description.");
            return;
        }

        var schemaPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullPath)!, schemaReference!));
        Assert.True(File.Exists(schemaPath), $"{path} names \"$schema\": \"{schemaReference}\", which does not exist.");
        var schema = await ShippedSchema.LoadAsync(schemaPath);

        AssertValid(schema, text, $"{path} against {RepositoryLayout.Relative(schemaPath)}");
    }

    [Theory]
    [MemberData(nameof(ExampleDataFiles))]
    public async Task ExampleData_ValidatesAgainstTemplateSchema_WhenCheckedIn(string path)
    {
        var templateId = path.Split('/')[1];
        var manifest = TemplateManifestFile.Load(templateId);
        var schemaKey = SchemaKeyForExampleFile(manifest, path);
        Assert.False(schemaKey is null,
            $"{path} matches no schema key of template {templateId}; name it after the key (contract.json, participants.jsonl).");
        manifest.TryGetSchemaFile(schemaKey!, out var schemaPath);
        var schema = await ShippedSchema.LoadAsync(schemaPath);

        var lines = await File.ReadAllLinesAsync(RepositoryLayout.Full(path));
        var documents = path.EndsWith(".jsonl", StringComparison.Ordinal)
            ? lines.Select((line, index) => (Text: line, Where: $"{path}:{index + 1}")).Where(d => d.Text.Length > 0).ToList()
            : [(Text: string.Join('\n', lines), Where: path)];

        Assert.NotEmpty(documents);
        foreach (var (documentText, where) in documents)
        {
            AssertValid(schema, documentText, $"{where} against {RepositoryLayout.Relative(schemaPath)}");
        }
    }

    [Theory]
    [MemberData(nameof(TemplateSchemaFiles))]
    public async Task TemplateSchema_UsesOnlyKeywordsTheSchemaGuardSupports_WhenCheckedIn(string path)
    {
        using var schema = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryLayout.Full(path)));
        var violations = new List<string>();

        CollectKeywordViolations(schema.RootElement, "#", violations);

        Assert.True(violations.Count == 0, $"{path} uses what the schema guard does not support:\n" + string.Join('\n', violations));
    }

    private static bool IsExampleData(string path) => path.Contains("/examples/", StringComparison.Ordinal);

    private static string? ReadSchemaReference(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("$schema", out var reference)
            && reference.ValueKind == JsonValueKind.String
                ? reference.GetString()
                : null;
    }

    /// <summary>contract.json is a "contract", participants.jsonl holds "participant" documents.</summary>
    private static string? SchemaKeyForExampleFile(TemplateManifestFile manifest, string path)
    {
        var stem = Path.GetFileName(path).Split('.')[0];
        string[] candidates = stem.EndsWith('s') ? [stem, stem[..^1]] : [stem];
        return candidates.FirstOrDefault(key => manifest.TryGetSchemaFile(key, out _));
    }

    private static void AssertValid(GuardedSchema schema, string json, string what)
    {
        var errors = ShippedSchema.Errors(schema, json).ToList();
        Assert.True(errors.Count == 0, $"{what}:\n" + string.Join('\n', errors));
    }

    private static void CollectKeywordViolations(JsonElement schema, string pointer, List<string> violations)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            violations.Add($"{pointer}: a schema must be an object");
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var at = $"{pointer}/{keyword.Name}";
            if (!GuardedKeywords.Contains(keyword.Name))
            {
                violations.Add($"{at}: keyword \"{keyword.Name}\"");
                continue;
            }

            switch (keyword.Name)
            {
                case "$schema" when pointer != "#":
                    violations.Add($"{at}: \"$schema\" belongs at the top only");
                    break;
                case "properties" or "definitions":
                    foreach (var child in keyword.Value.EnumerateObject())
                    {
                        CollectKeywordViolations(child.Value, $"{at}/{child.Name}", violations);
                    }

                    break;
                case "items":
                    CollectKeywordViolations(keyword.Value, at, violations);
                    break;
                case "additionalProperties" when keyword.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                    violations.Add($"{at}: must be true or false");
                    break;
                case "$ref" when !keyword.Value.GetString()!.StartsWith("#/definitions/", StringComparison.Ordinal):
                    violations.Add($"{at}: only #/definitions/... references are supported");
                    break;
                case "format" when !GuardedFormats.Contains(keyword.Value.GetString()!):
                    violations.Add($"{at}: format \"{keyword.Value.GetString()}\"");
                    break;
            }
        }

        if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "object"
            && !schema.TryGetProperty("additionalProperties", out _))
        {
            violations.Add($"{pointer}: an object schema must say additionalProperties: false (or true) explicitly");
        }
    }
}
