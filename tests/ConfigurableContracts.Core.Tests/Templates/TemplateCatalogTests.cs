using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ConfigurableContracts.Core.Tests.Templates;

/// <summary>The catalog's rules about versions: a number means one content, and a template is not withdrawn on a blink.</summary>
public sealed class TemplateCatalogTests : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);

    private readonly TemplateFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private const string ManifestKey = $"schemas/{TemplateFolder.Id}/template.json";

    private const string RuleFile = $"rules/{TemplateFolder.Id}/outcomes.json";

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reload_RefusesKnownVersionWithOtherContent_AtTheManifestsVersion_AndKeepsTheLoadedBundle()
    {
        var catalog = Catalog();
        catalog.Reload();
        var good = Assert.Single(catalog.Templates);

        _folder.Write(RuleFile, """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp == null" } ] }""");
        catalog.Reload();

        Assert.Same(good, Assert.Single(catalog.Templates));
        Assert.Same(good, Assert.Single(catalog.VersionsOf(TemplateFolder.Id)));
        var refusal = Assert.Single(catalog.Diagnostics(TemplateFolder.Id), d => d.Code == TemplateCatalog.VersionInUseCode);
        Assert.True(refusal.IsError);
        Assert.Equal(new SourceLocation(ManifestKey, 3, 14), refusal.Location);
        Assert.Contains($"version 1.0.0 of '{TemplateFolder.Id}' is already in use with different content (bundle {good.BundleHash[..12]}", refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Reload_OffersTheEdit_WhenItsVersionIsBumped()
    {
        var catalog = Catalog();
        catalog.Reload();

        _folder.Write(RuleFile, """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp == null" } ] }""");
        _folder.Write(ManifestKey, TemplateFolder.Manifest(version: "1.0.1"));
        catalog.Reload();

        Assert.Empty(catalog.Diagnostics(TemplateFolder.Id));
        Assert.Equal(["1.0.0", "1.0.1"], catalog.VersionsOf(TemplateFolder.Id).Select(v => v.Version));
    }

    [Fact]
    public void Reload_RefusesVersionStoredWithOtherContent_OnAFreshStart()
    {
        var stored = new StoredVersions();
        stored.Add(TemplateFolder.Id, "1.0.0", new Dictionary<string, string> { [ManifestKey] = "{}" });
        var catalog = Catalog(stored);

        catalog.Reload();

        Assert.Empty(catalog.Templates);
        Assert.Contains(catalog.Diagnostics(TemplateFolder.Id), d => d.Code == TemplateCatalog.VersionInUseCode);
        Assert.True(catalog.IsKnown(TemplateFolder.Id));
    }

    [Fact]
    public void Reload_OffersVersionStoredWithTheSameFiles_AndItsReadme_FromBeforeDocumentationLeftTheIdentity()
    {
        var loaded = Assert.IsType<TemplateVersion>(Loader().Load(Path.Combine(Loader().SchemasRoot, TemplateFolder.Id)).Version);
        var storedFiles = new Dictionary<string, string>(loaded.Files) { [$"rules/{TemplateFolder.Id}/README.md"] = "# Tiny\n" };
        var stored = new StoredVersions();
        stored.Add(TemplateFolder.Id, "1.0.0", storedFiles);
        var catalog = Catalog(stored);

        catalog.Reload();

        Assert.Equal(loaded.BundleHash, Assert.Single(catalog.Templates).BundleHash);
        Assert.Empty(catalog.Diagnostics(TemplateFolder.Id));
    }

    [Fact]
    public void Reload_KeepsTheTemplateOffered_ThroughADeleteThenRenameSaveOfItsManifest()
    {
        var catalog = Catalog();
        catalog.Reload();
        var manifest = Path.Combine(_folder.Root, ManifestKey);
        var text = File.ReadAllText(manifest);

        // The editor deletes the manifest; a reload lands in the gap, even one longer than the debounce.
        File.Delete(manifest);
        catalog.Reload();
        Assert.Single(catalog.Templates);
        Assert.True(catalog.RemovalPending);

        _time.Advance(Debounce * 3);
        File.WriteAllText(manifest + ".tmp", text);
        File.Move(manifest + ".tmp", manifest);
        catalog.Reload();

        Assert.Single(catalog.Templates);
        Assert.False(catalog.RemovalPending);
    }

    [Fact]
    public void Reload_WithdrawsATemplate_MissingOnTwoReloadsADebounceApart()
    {
        var catalog = Catalog();
        catalog.Reload();
        File.Delete(Path.Combine(_folder.Root, ManifestKey));

        catalog.Reload();
        _time.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        catalog.Reload();
        Assert.Single(catalog.Templates);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        catalog.Reload();
        Assert.Empty(catalog.Templates);
        Assert.False(catalog.RemovalPending);
    }

    private TemplateLoader Loader() => new(_folder.Root, new TemplateOptions { ReloadDebounce = Debounce });

    private TemplateCatalog Catalog(IStoredBundleVersions? stored = null) => new(Loader(), NullLogger<TemplateCatalog>.Instance, stored, _time);

    /// <summary>Bundles as a database would hold them for contracts.</summary>
    private sealed class StoredVersions : IStoredBundleVersions
    {
        private readonly Dictionary<string, (StoredBundleVersion Version, IReadOnlyDictionary<string, string> Files)> _bundles = [];

        public void Add(string templateId, string version, IReadOnlyDictionary<string, string> files)
        {
            var hash = TemplateLoader.BundleHash(files);
            _bundles[hash] = (new StoredBundleVersion(templateId, version, hash), files);
        }

        public IReadOnlyList<StoredBundleVersion> Read() => _bundles.Values.Select(b => b.Version).ToList();

        public IReadOnlyDictionary<string, string>? Files(string bundleHash) => _bundles.TryGetValue(bundleHash, out var bundle) ? bundle.Files : null;
    }
}
