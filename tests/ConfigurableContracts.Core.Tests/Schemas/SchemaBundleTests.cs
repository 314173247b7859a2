using System.Text.Json.Nodes;
using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Core.Tests.Schemas;

public sealed class SchemaBundleTests : IDisposable
{
    private readonly TemplateFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Combine_RefersOnlyWithinItself_AndValidatesAsTheSeparateFilesDo()
    {
        _folder.Write("common/codes.schema.json", """
            {
              "$id": "common/codes.schema.json",
              "definitions": {
                "odd name/with~chars": { "type": "integer", "minimum": 1 },
                "visit": { "type": "object", "required": ["on"], "properties": { "on": { "type": "string", "format": "date" },
                           "count": { "$ref": "#/definitions/odd name~1with~0chars" } } }
              }
            }
            """);
        var participant = await LoadAsync("participant.schema.json", """
            {
              "$schema": "http://json-schema.org/draft-07/schema#",
              "type": "object",
              "required": ["visits"],
              "properties": {
                "visits": { "type": "array", "items": { "$ref": "common/codes.schema.json#/definitions/visit" } },
                "self": { "$ref": "#" },
                "examples": { "examples": [{ "$ref": "not a reference, an example value" }] }
              }
            }
            """);
        var measurement = await LoadAsync("measurement.schema.json", """{ "properties": { "visit": { "$ref": "common/codes.schema.json#/definitions/visit" } } }""");

        var bundle = SchemaBundle.Combine([new("Participant", participant), new("Measurement", measurement)]);

        var definitions = bundle["definitions"]!.AsObject();
        Assert.Equal(["Participant", "Measurement", "codes"], definitions.Select(d => d.Key));
        Assert.Null(definitions["codes"]!["$id"]);
        Assert.Null(definitions["Participant"]!["$schema"]);
        Assert.Equal("#/definitions/codes/definitions/visit", (string?)definitions["Participant"]!["properties"]!["visits"]!["items"]!["$ref"]);
        Assert.Equal("#/definitions/Participant", (string?)definitions["Participant"]!["properties"]!["self"]!["$ref"]);
        Assert.Equal("#/definitions/codes/definitions/odd%20name~1with~0chars", (string?)definitions["codes"]!["definitions"]!["visit"]!["properties"]!["count"]!["$ref"]);
        Assert.Equal("not a reference, an example value", (string?)definitions["Participant"]!["properties"]!["examples"]!["examples"]![0]!["$ref"]);

        // The bundle is a schema the guard itself accepts, alone in an empty folder, and it gives the same verdicts.
        foreach (var (name, original) in new[] { ("Participant", participant), ("Measurement", measurement) })
        {
            var entry = bundle.DeepClone().AsObject();
            entry["$ref"] = "#/definitions/" + name;
            using var empty = new TemplateFolder();
            var loaded = await new SchemaGuard().LoadTextAsync(empty.Root, Path.Combine(empty.Root, "bundle.json"), entry.ToJsonString());
            Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
            Assert.Single(loaded.Schema!.Files);
            foreach (var document in new[]
            {
                """{ "visits": [{ "on": "2025-01-31", "count": 2 }] }""",
                """{ "visits": [{ "on": "2025-02-30" }, { "count": 0 }], "self": { "visits": "no" } }""",
                """{ "visit": { "on": "2025-01-31", "count": 1.5 } }""",
                """{ "visit": {} }""",
            })
            {
                Assert.Equal(original.Validate(document).Select(e => e.Path), loaded.Schema.Validate(document).Select(e => e.Path));
            }
        }
    }

    [Fact]
    public async Task Combine_RefersToTheEarlierName_WhenTwoNamesShareAFile()
    {
        var measurement = await LoadAsync("measurement.schema.json", """{ "type": "object" }""");

        var bundle = SchemaBundle.Combine([new("Baseline", measurement), new("FollowUp", measurement)]);

        Assert.Equal("#/definitions/Baseline", (string?)bundle["definitions"]!["FollowUp"]!["$ref"]);
        Assert.Equal("object", (string?)bundle["definitions"]!["Baseline"]!["type"]);
    }

    [Fact]
    public async Task Combine_RefusesOneNameForTwoSchemas()
    {
        var schema = await LoadAsync("participant.schema.json", "{}");

        Assert.Throws<ArgumentException>(() => SchemaBundle.Combine([new("Participant", schema), new("Participant", schema)]));
    }

    private async Task<GuardedSchema> LoadAsync(string relativePath, string text)
    {
        var path = _folder.Write(relativePath, text);
        var result = await new SchemaGuard().LoadAsync(_folder.Root, path);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return result.Schema!;
    }
}
