using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Functions;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConfigurableContracts.Core.Tests.Templates;

public sealed class TemplateLoaderTests : IDisposable
{
    private readonly TemplateFolder _folder = new();

    private TemplateLoader Loader => new(_folder.Root, new TemplateOptions());

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_BuildsVersion_WithPlanSchemasAndHashedFiles()
    {
        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var version = Assert.IsType<TemplateVersion>(result.Version);
        Assert.Equal("1.0.0", version.Version);
        Assert.Equal(64, version.BundleHash.Length);
        Assert.Contains($"rules/{TemplateFolder.Id}/outcomes.json", version.Files.Keys);
        var point = Assert.Single(version.MeasurementPlan.Points);
        Assert.Equal(new DateOnly(2022, 2, 28), point.DueDate(new DateOnly(2021, 11, 30)));
        Assert.Equal(new DateOnly(2022, 2, 21), point.WindowStart(new DateOnly(2021, 11, 30)));
        Assert.Equal(new DateOnly(2022, 3, 14), point.WindowEnd(new DateOnly(2021, 11, 30)));
    }

    [Fact]
    public void Load_ReportsLineAndColumn_WhenIdDiffersFromFolder()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(id: "other-name"));

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        Assert.Null(result.Version);
        var error = Assert.Single(result.Diagnostics, d => d.Code == "CCT0103");
        Assert.Equal(new SourceLocation($"schemas/{TemplateFolder.Id}/template.json", 2, 9), error.Location);
        Assert.StartsWith($"schemas/{TemplateFolder.Id}/template.json:2:9: error CCT0103:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RefusesRulesFolder_OutsideTheRulesPath()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(rulesFolder: "../../../../etc"));

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        Assert.Null(result.Version);
        Assert.Contains(result.Diagnostics, d => d.Code == "CCT0105");
    }

    [Fact]
    public void Load_ReportsParserPosition_WhenManifestIsMalformed()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", "{\n  \"id\": \"tiny-template\",\n  \"version\": 1.0.0\n}");

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("CCT0101", error.Code);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void Load_SaysUnexpectedEndOfFile_WhenManifestIsCutOff()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", "{\n  \"id\": \"tiny-template\",\n  \"title\": { \"sv\": \"Ä\"");

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        Assert.Equal($"schemas/{TemplateFolder.Id}/template.json:3:23: error CCT0101: Unexpected end of file: 2 objects are still open.",
            Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Load_LocatesAManifestValueOfTheWrongType_AtThatValue()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest().Replace("\"version\": \"1.0.0\"", "\"version\": 1", StringComparison.Ordinal));

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal($"schemas/{TemplateFolder.Id}/template.json:3:14: error CCT0120: 'version' expected string but found integer.",
            error.ToString());
    }

    [Fact]
    public void Load_ReportsOnlyTheSyntaxError_OfABrokenWorkflowFile()
    {
        _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp != null" } """);

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        // Not also CCT0113 "the manifest runs workflow 'Outcomes', but 'outcomes.json' defines ."
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidJson, error.Code);
        Assert.StartsWith("Unexpected end of file: 1 object and 1 array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsOnlyTheScriptError_WhenFunctionsFileDoesNotParse()
    {
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest().Replace(
            "\"rules\": { \"folder\": \"../../rules/tiny-template\", \"tests\": \"tests\" }", "\"rules\": { \"folder\": \"../../rules/tiny-template\", \"tests\": \"tests\", \"functions\": \"functions.js\" }", StringComparison.Ordinal));
        _folder.Write($"rules/{TemplateFolder.Id}/functions.js", "function scored(x) { return x +* 1; }");
        _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "fn.scored(followUp)" } ] }""");

        var result = Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id));

        // Not also CCR0211 "'fn.scored' calls a custom function, but this template has no functions file."
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(ScriptDiagnosticCodes.SyntaxError, error.Code);
        Assert.Equal($"rules/{TemplateFolder.Id}/functions.js", error.Location.Path);
    }

    [Fact]
    public void BundleHash_IsTheSame_ForCrLfAndLfCheckouts()
    {
        var lf = new Dictionary<string, string> { ["a.json"] = TemplateLoader.Normalise("{\n  \"x\": 1\n}\n") };
        var crlf = new Dictionary<string, string> { ["a.json"] = TemplateLoader.Normalise("\uFEFF{\r\n  \"x\": 1\r\n}\r\n") };
        var changed = new Dictionary<string, string> { ["a.json"] = TemplateLoader.Normalise("{\n  \"x\": 2\n}\n") };

        Assert.Equal(TemplateLoader.BundleHash(lf), TemplateLoader.BundleHash(crlf));
        Assert.NotEqual(TemplateLoader.BundleHash(lf), TemplateLoader.BundleHash(changed));
    }

    [Fact]
    public void Load_KeysBundleFilesByTheSchemasAndRulesPaths_WhereverTheyAre()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), $"cc_content_{Guid.NewGuid():N}");
        var outside = new TemplateLoader(elsewhere, new TemplateOptions { SchemasPath = Path.Combine(_folder.Root, "schemas"), RulesPath = Path.Combine(_folder.Root, "rules") });

        var far = Assert.IsType<TemplateVersion>(outside.Load(Path.Combine(outside.SchemasRoot, TemplateFolder.Id)).Version);
        var near = Assert.IsType<TemplateVersion>(Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id)).Version);

        Assert.Equal(near.BundleHash, far.BundleHash);
        Assert.All(far.Files.Keys, key => Assert.Matches($"^(schemas|rules)/{TemplateFolder.Id}/[a-z./]+$", key));
        Assert.StartsWith("../", outside.DisplayPath(Path.Combine(outside.SchemasRoot, TemplateFolder.Id, "template.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LeavesDocumentationOutOfTheBundleAndItsHash()
    {
        var before = Assert.IsType<TemplateVersion>(Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id)).Version);

        _folder.Write($"rules/{TemplateFolder.Id}/README.md", "# How the tiny template decides\n");
        _folder.Write($"schemas/{TemplateFolder.Id}/NOTES.MD", "Written by the commissioner.\n");
        var after = Assert.IsType<TemplateVersion>(Loader.Load(Path.Combine(Loader.SchemasRoot, TemplateFolder.Id)).Version);

        Assert.Equal(before.BundleHash, after.BundleHash);
        Assert.DoesNotContain(after.Files.Keys, key => key.EndsWith(".md", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Reload_KeepsLastGoodVersion_WhenAnEditBreaksTheTemplate()
    {
        var catalog = new TemplateCatalog(Loader, NullLogger<TemplateCatalog>.Instance);
        catalog.Reload();
        var good = Assert.Single(catalog.Templates);

        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(version: "not-a-version"));
        catalog.Reload();

        Assert.Same(good, Assert.Single(catalog.Templates));
        Assert.Contains(catalog.Diagnostics(TemplateFolder.Id), d => d.Code == "CCT0120");
    }

    [Fact]
    public void Reload_OffersNewVersion_BesideTheOld_WhenVersionIsBumped()
    {
        var catalog = new TemplateCatalog(Loader, NullLogger<TemplateCatalog>.Instance);
        catalog.Reload();

        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(version: "1.1.0"));
        catalog.Reload();

        Assert.Equal(["1.0.0", "1.1.0"], catalog.VersionsOf(TemplateFolder.Id).Select(v => v.Version));
        Assert.True(catalog.TryGet(TemplateFolder.Id, "1.0.0", out _));
        Assert.Equal("1.1.0", Assert.Single(catalog.Templates).Version);
    }

    [Fact]
    public void Load_ReusesCompiledWorkflows_WhenNoFileTheyAreMadeFromChanged()
    {
        var loader = Loader;
        var folder = Path.Combine(loader.SchemasRoot, TemplateFolder.Id);
        var first = Assert.IsType<TemplateVersion>(loader.Load(folder).Version);

        // A new manifest version changes the bundle but nothing the workflows are compiled from.
        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(version: "1.1.0"));
        var second = Assert.IsType<TemplateVersion>(loader.Load(folder).Version);

        Assert.NotEqual(first.BundleHash, second.BundleHash);
        Assert.Same(first.Workflows, second.Workflows);
    }

    [Theory]
    [InlineData("rules/tiny-template/outcomes.json", """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp == null" } ] }""")]
    [InlineData("schemas/tiny-template/measurement.schema.json", """{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": { "score": { "type": "number" } } }""")]
    public void Load_CompilesAnew_WhenAFileTheWorkflowsAreMadeFromChanged(string file, string text)
    {
        var loader = Loader;
        var folder = Path.Combine(loader.SchemasRoot, TemplateFolder.Id);
        var first = Assert.IsType<TemplateVersion>(loader.Load(folder).Version);

        _folder.Write(file, text);
        var second = Assert.IsType<TemplateVersion>(loader.Load(folder).Version);

        Assert.NotSame(first.Workflows, second.Workflows);
        Assert.NotSame(first.Workflows[0].Compiled, second.Workflows[0].Compiled);
    }

    [Fact]
    public void Load_ReportsTheCachedCompilationsWarnings_Again()
    {
        _folder.Write($"rules/{TemplateFolder.Id}/outcomes.json", """{ "WorkflowName": "Outcomes", "Colour": "blue", "Rules": [ { "RuleName": "Scored", "Expression": "followUp != null" } ] }""");
        var loader = Loader;
        var folder = Path.Combine(loader.SchemasRoot, TemplateFolder.Id);
        var warnings = loader.Load(folder).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();

        var again = loader.Load(folder).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();

        Assert.NotEmpty(warnings);
        Assert.Equal(warnings, again);
    }
}
