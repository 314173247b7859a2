using System.Collections.Immutable;
using ConfigurableContracts.Rules;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The templates the server offers: every template folder that loaded without errors. A reload replaces a
/// template only when its new files load cleanly, so a broken edit never takes away the last good version.
/// </summary>
public sealed class TemplateCatalog(TemplateLoader loader, ILogger<TemplateCatalog> logger)
{
    private readonly Lock _reloadLock = new();
    private ImmutableDictionary<string, ImmutableList<TemplateVersion>> _versions = ImmutableDictionary<string, ImmutableList<TemplateVersion>>.Empty;
    private ImmutableDictionary<string, IReadOnlyList<Diagnostic>> _diagnostics = ImmutableDictionary<string, IReadOnlyList<Diagnostic>>.Empty;

    /// <summary>Raised after a reload changed what the catalog offers.</summary>
    public event EventHandler? Changed;

    /// <summary>The newest loaded version of every template, by id.</summary>
    public IReadOnlyList<TemplateVersion> Templates => _versions.Values.Select(v => v[^1]).OrderBy(v => v.Id, StringComparer.Ordinal).ToList();

    /// <summary>Template ids with their latest diagnostics, including those that failed to load.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Diagnostic>> AllDiagnostics => _diagnostics;

    /// <summary>Every version of <paramref name="id"/> loaded since start-up, oldest first.</summary>
    public IEnumerable<TemplateVersion> VersionsOf(string id) => _versions.TryGetValue(id, out var versions) ? versions : [];

    public bool TryGet(string id, string version, out TemplateVersion template)
    {
        template = VersionsOf(id).LastOrDefault(v => string.Equals(v.Version, version, StringComparison.Ordinal))!;
        return template is not null;
    }

    /// <summary>The loaded version whose files have <paramref name="bundleHash"/>, if it is still in memory.</summary>
    public TemplateVersion? FindByHash(string bundleHash) =>
        _versions.Values.SelectMany(v => v).FirstOrDefault(v => string.Equals(v.BundleHash, bundleHash, StringComparison.Ordinal));

    /// <summary>The diagnostics of the last load of <paramref name="id"/>; empty when it loaded cleanly or is unknown.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics(string id) => _diagnostics.TryGetValue(id, out var found) ? found : [];

    public bool IsKnown(string id) => _versions.ContainsKey(id) || _diagnostics.ContainsKey(id);

    /// <summary>Loads every template folder again and swaps in the versions that loaded without errors.</summary>
    public void Reload()
    {
        lock (_reloadLock)
        {
            var versions = _versions;
            var diagnostics = ImmutableDictionary.CreateBuilder<string, IReadOnlyList<Diagnostic>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var changed = false;
            foreach (var folder in loader.TemplateFolders())
            {
                var result = loader.Load(folder);
                seen.Add(result.Folder);
                diagnostics[result.Folder] = result.Diagnostics;
                foreach (var diagnostic in result.Diagnostics)
                {
                    logger.Log(diagnostic.Severity == DiagnosticSeverity.Error ? LogLevel.Error : LogLevel.Warning, "Template {TemplateId}: {Diagnostic}", result.Folder, diagnostic.ToString());
                }

                if (result.Version is not { } loaded)
                {
                    if (versions.ContainsKey(result.Folder))
                    {
                        logger.LogWarning("Template {TemplateId} has errors; the last good version stays in service.", result.Folder);
                    }

                    continue;
                }

                var list = versions.TryGetValue(loaded.Id, out var existing) ? existing : [];
                if (list.Any(v => v.BundleHash == loaded.BundleHash))
                {
                    continue;
                }

                // A new bundle for an existing version number replaces it; a new version number is added beside it.
                list = list.RemoveAll(v => v.Version == loaded.Version).Add(loaded);
                versions = versions.SetItem(loaded.Id, list);
                changed = true;
                logger.LogInformation("Loaded template {TemplateId} {Version} ({BundleHash})", loaded.Id, loaded.Version, loaded.BundleHash[..12]);
            }

            foreach (var removed in versions.Keys.Where(id => !seen.Contains(id)).ToList())
            {
                versions = versions.Remove(removed);
                changed = true;
                logger.LogInformation("Template {TemplateId} was removed from disk and is no longer offered.", removed);
            }

            _versions = versions;
            _diagnostics = diagnostics.ToImmutable();
            if (changed)
            {
                Changed?.Invoke(this, EventArgs.Empty);
            }
        }
    }
}
