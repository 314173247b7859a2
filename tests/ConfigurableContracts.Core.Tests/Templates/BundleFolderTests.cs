using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Tests.Templates;

/// <summary>Stored bundles load as the very bundle that was stored, whatever layout it came from.</summary>
public sealed class BundleFolderTests : IDisposable
{
    private readonly TemplateFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("rules", "../../rules/tiny-template")]
    [InlineData("outcome-rules", "../../outcome-rules/tiny-template")]
    [InlineData("deep/rules", "../../deep/rules/tiny-template")]
    public void Load_LoadsAsTheSameBundle_WhateverTheManifestCallsItsRulesFolder(string rulesPath, string rulesFolder)
    {
        foreach (var file in new[] { "outcomes.json", "tests/outcomes.tests.json" })
        {
            _folder.Write($"{rulesPath}/{TemplateFolder.Id}/{file}", File.ReadAllText(Path.Combine(_folder.Root, "rules", TemplateFolder.Id, file)));
        }

        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(rulesFolder: rulesFolder));
        var original = new TemplateLoader(_folder.Root, new TemplateOptions { RulesPath = rulesPath });
        var stored = Assert.IsType<TemplateVersion>(original.Load(Path.Combine(original.SchemasRoot, TemplateFolder.Id)).Version);

        var result = BundleFolder.Load(TemplateFolder.Id, stored.Files);

        var reloaded = Assert.IsType<TemplateVersion>(result.Version);
        Assert.Equal(stored.BundleHash, reloaded.BundleHash);
        Assert.Equal(stored.Files, reloaded.Files);
    }

    [Theory]
    [InlineData("../../etc/cron.d/job")]
    [InlineData("schemas/../../escape.json")]
    [InlineData("rules/../../../escape.json")]
    public void Load_Refuses_AKeyOutsideTheSchemasAndRulesFolders(string key)
    {
        var loaded = Assert.IsType<TemplateVersion>(new TemplateLoader(_folder.Root, new TemplateOptions()).Load(Path.Combine(_folder.Root, "schemas", TemplateFolder.Id)).Version);
        var files = new Dictionary<string, string>(loaded.Files) { [key] = "x" };

        Assert.Throws<InvalidOperationException>(() => BundleFolder.Load(TemplateFolder.Id, files));
    }

    [Fact]
    public void Load_ResolvesSchemaReferences_WithinTheStoredFiles()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/defs/score.schema.json", """{ "type": "integer", "minimum": 0 }""");
        _folder.Write($"schemas/{TemplateFolder.Id}/measurement.schema.json", """{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": { "score": { "$ref": "defs/score.schema.json" } } }""");
        var stored = Assert.IsType<TemplateVersion>(new TemplateLoader(_folder.Root, new TemplateOptions()).Load(Path.Combine(_folder.Root, "schemas", TemplateFolder.Id)).Version);

        var reloaded = Assert.IsType<TemplateVersion>(BundleFolder.Load(TemplateFolder.Id, stored.Files).Version);

        Assert.Equal(stored.BundleHash, reloaded.BundleHash);
        Assert.NotEmpty(reloaded.MeasurementSchema.Validate(System.Text.Json.JsonDocument.Parse("""{ "score": -1 }""").RootElement));
    }

    [Theory]
    [InlineData("../elsewhere.schema.json")]
    [InlineData("defs/missing.schema.json")]
    [InlineData("https://example.org/score.schema.json")]
    public void Load_RefusesASchemaReference_AsTheFolderOnDiskDoes(string reference)
    {
        var stored = Assert.IsType<TemplateVersion>(new TemplateLoader(_folder.Root, new TemplateOptions()).Load(Path.Combine(_folder.Root, "schemas", TemplateFolder.Id)).Version);
        var schema = $$"""
            {
              "$schema": "http://json-schema.org/draft-07/schema#",
              "type": "object",
              "properties": { "score": { "$ref": "{{reference}}" } }
            }
            """;
        _folder.Write("schemas/elsewhere.schema.json", """{ "type": "integer" }""");
        _folder.Write($"schemas/{TemplateFolder.Id}/measurement.schema.json", schema);
        var files = new Dictionary<string, string>(stored.Files)
        {
            [$"schemas/{TemplateFolder.Id}/measurement.schema.json"] = schema,
            ["schemas/elsewhere.schema.json"] = """{ "type": "integer" }""",
        };

        var onDisk = new TemplateLoader(_folder.Root, new TemplateOptions()).Load(Path.Combine(_folder.Root, "schemas", TemplateFolder.Id));
        var fromBundle = BundleFolder.Load(TemplateFolder.Id, files);

        Assert.Null(fromBundle.Version);
        var expected = onDisk.Diagnostics.Where(d => d.IsError).Select(d => (d.Code, d.Message, d.Location.Line, d.Location.Column)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, fromBundle.Diagnostics.Where(d => d.IsError).Select(d => (d.Code, d.Message, d.Location.Line, d.Location.Column)));
    }
}
