using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Tests.Templates;

/// <summary>Stored bundles written back out load as the very bundle that was stored, whatever layout it came from.</summary>
public sealed class BundleFolderTests : IDisposable
{
    private readonly TemplateFolder _folder = new();
    private readonly string _written = Path.Combine(Path.GetTempPath(), $"cc_bundle_{Guid.NewGuid():N}");

    public void Dispose()
    {
        _folder.Dispose();
        if (Directory.Exists(_written))
        {
            Directory.Delete(_written, recursive: true);
        }
    }

    [Theory]
    [InlineData("rules", "../../rules/tiny-template")]
    [InlineData("outcome-rules", "../../outcome-rules/tiny-template")]
    [InlineData("deep/rules", "../../deep/rules/tiny-template")]
    public void Write_LoadsAsTheSameBundle_WhateverTheManifestCallsItsRulesFolder(string rulesPath, string rulesFolder)
    {
        foreach (var file in new[] { "outcomes.json", "tests/outcomes.tests.json" })
        {
            _folder.Write($"{rulesPath}/{TemplateFolder.Id}/{file}", File.ReadAllText(Path.Combine(_folder.Root, "rules", TemplateFolder.Id, file)));
        }

        _folder.Write($"schemas/{TemplateFolder.Id}/template.json", TemplateFolder.Manifest(rulesFolder: rulesFolder));
        var original = new TemplateLoader(_folder.Root, new TemplateOptions { RulesPath = rulesPath });
        var stored = Assert.IsType<TemplateVersion>(original.Load(Path.Combine(original.SchemasRoot, TemplateFolder.Id)).Version);

        var loader = BundleFolder.Write(_written, TemplateFolder.Id, stored.Files);
        var result = loader.Load(Path.Combine(loader.SchemasRoot, TemplateFolder.Id));

        var reloaded = Assert.IsType<TemplateVersion>(result.Version);
        Assert.Equal(stored.BundleHash, reloaded.BundleHash);
        Assert.Equal(stored.Files, reloaded.Files);
    }

    [Theory]
    [InlineData("../../etc/cron.d/job")]
    [InlineData("schemas/../../escape.json")]
    [InlineData("rules/../../../escape.json")]
    public void Write_Refuses_AKeyOutsideTheSchemasAndRulesFolders(string key)
    {
        var loaded = Assert.IsType<TemplateVersion>(new TemplateLoader(_folder.Root, new TemplateOptions()).Load(Path.Combine(_folder.Root, "schemas", TemplateFolder.Id)).Version);
        var files = new Dictionary<string, string>(loaded.Files) { [key] = "x" };

        Assert.Throws<InvalidOperationException>(() => BundleFolder.Write(_written, TemplateFolder.Id, files));
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(_written, key))));
    }
}
