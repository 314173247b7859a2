using System.Collections.Immutable;
using ConfigurableContracts.Rules;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The templates the server offers: every template folder that loaded without errors. A reload replaces a
/// template only when its new files load cleanly, so a broken edit never takes away the last good version.
/// </summary>
/// <remarks>
/// A version number means one content: files that reuse a version number loaded earlier in this process, or stored
/// for a contract (<paramref name="storedVersions"/>), with other content are refused (CCT0114), never swapped in
/// under a contract that pinned the number. A template whose manifest disappears is withdrawn only when it is still
/// missing a reload later, at least <see cref="TemplateOptions.ReloadDebounce"/> after it was first missed: an
/// editor that saves by deleting the manifest and renaming a new file into place must not withdraw it.
/// </remarks>
public sealed class TemplateCatalog(TemplateLoader loader, ILogger<TemplateCatalog> logger, IStoredBundleVersions? storedVersions = null, TimeProvider? time = null)
{
    /// <summary>The code of the refusal of files that reuse a known version number with other content.</summary>
    public const string VersionInUseCode = "CCT0114";

    private readonly Lock _reloadLock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Stored bundles found to hold, documentation aside, a loaded bundle's files; keyed by both hashes.</summary>
    private readonly Dictionary<(string Stored, string Loaded), bool> _sameIdentity = [];
    private ImmutableDictionary<string, ImmutableList<TemplateVersion>> _versions = ImmutableDictionary<string, ImmutableList<TemplateVersion>>.Empty;
    private ImmutableDictionary<string, IReadOnlyList<Diagnostic>> _diagnostics = ImmutableDictionary<string, IReadOnlyList<Diagnostic>>.Empty;
    private ImmutableDictionary<string, DateTimeOffset> _missingSince = ImmutableDictionary<string, DateTimeOffset>.Empty;

    /// <summary>The files' fingerprint taken just before the last reload read them.</summary>
    public string? LoadedFingerprint { get; private set; }

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

    /// <summary>
    /// Whether a template's folder was missed by the last reload but is still offered: a reload at least the
    /// debounce later withdraws it, or keeps it when its manifest is back.
    /// </summary>
    public bool RemovalPending => !_missingSince.IsEmpty;

    /// <summary>Loads every template folder again and swaps in the versions that loaded without errors.</summary>
    public void Reload()
    {
        lock (_reloadLock)
        {
            // Taken before reading, so an edit made while loading shows up as a difference next time.
            var fingerprint = loader.Fingerprint();
            var stored = (storedVersions?.Read() ?? []).ToLookup(s => (s.TemplateId, s.Version), s => s.BundleHash);
            var versions = _versions;
            var diagnostics = ImmutableDictionary.CreateBuilder<string, IReadOnlyList<Diagnostic>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var changed = false;
            foreach (var folder in loader.TemplateFolders())
            {
                var result = loader.Load(folder);
                seen.Add(result.Folder);
                var list = result.Version is { } candidate && versions.TryGetValue(candidate.Id, out var existing) ? existing : [];
                var inUse = result.Version is { } version ? InUseWithOtherContent(version, list, stored[(version.Id, version.Version)]) : null;
                IReadOnlyList<Diagnostic> found = inUse is null ? result.Diagnostics : [.. result.Diagnostics, VersionInUse(result.Version!, folder, inUse)];

                diagnostics[result.Folder] = found;
                foreach (var diagnostic in found)
                {
                    logger.Log(diagnostic.Severity == DiagnosticSeverity.Error ? LogLevel.Error : LogLevel.Warning, "Template {TemplateId}: {Diagnostic}", result.Folder, diagnostic.ToString());
                }

                if (result.Version is not { } loaded || inUse is not null)
                {
                    if (versions.ContainsKey(result.Folder))
                    {
                        logger.LogWarning("Template {TemplateId} has errors; the last good version stays in service.", result.Folder);
                    }

                    continue;
                }

                if (list.Any(v => v.BundleHash == loaded.BundleHash))
                {
                    continue;
                }

                versions = versions.SetItem(loaded.Id, list.Add(loaded));
                changed = true;
                logger.LogInformation("Loaded template {TemplateId} {Version} ({BundleHash})", loaded.Id, loaded.Version, loaded.BundleHash[..12]);
            }

            var now = _time.GetUtcNow();
            var missing = ImmutableDictionary.CreateBuilder<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var absent in versions.Keys.Where(id => !seen.Contains(id)).ToList())
            {
                if (_missingSince.TryGetValue(absent, out var since) && now - since >= loader.ReloadDebounce)
                {
                    versions = versions.Remove(absent);
                    changed = true;
                    logger.LogInformation("Template {TemplateId} was removed from disk and is no longer offered.", absent);
                }
                else
                {
                    missing[absent] = _missingSince.TryGetValue(absent, out var first) ? first : now;
                }
            }

            _versions = versions;
            _diagnostics = diagnostics.ToImmutable();
            _missingSince = missing.ToImmutable();
            LoadedFingerprint = fingerprint;
            if (changed)
            {
                Changed?.Invoke(this, EventArgs.Empty);
            }
        }
    }

    /// <summary>
    /// The hash of a known bundle with <paramref name="loaded"/>'s version number and other content, or null when
    /// the number is new or its known bundle is this one.
    /// </summary>
    private string? InUseWithOtherContent(TemplateVersion loaded, ImmutableList<TemplateVersion> inMemory, IEnumerable<string> storedHashes)
    {
        var known = inMemory.Where(v => v.Version == loaded.Version).Select(v => v.BundleHash).Concat(storedHashes).Distinct(StringComparer.Ordinal).ToList();
        if (known.Count == 0 || known.Contains(loaded.BundleHash))
        {
            return null;
        }

        // A bundle stored with its README, before documentation left the identity, hashes differently from the same files today.
        return storedHashes.Any(hash => SameIdentity(hash, loaded)) ? null : known[0];
    }

    private bool SameIdentity(string storedHash, TemplateVersion loaded)
    {
        if (!_sameIdentity.TryGetValue((storedHash, loaded.BundleHash), out var same))
        {
            same = storedVersions?.Files(storedHash) is { } files && BundlePaths.SameIdentity(files, loaded.Files);
            _sameIdentity[(storedHash, loaded.BundleHash)] = same;
        }

        return same;
    }

    /// <summary>The refusal, located at the manifest's version as the editor's file shows it.</summary>
    private Diagnostic VersionInUse(TemplateVersion loaded, string folder, string knownHash)
    {
        var (line, column) = loaded.Files.TryGetValue(BundlePaths.Manifest(loaded.Id), out var manifest) ? JsonPositions.Index(manifest).Locate("/version") : (1, 1);
        return new Diagnostic(VersionInUseCode, DiagnosticSeverity.Error,
            $"Version {loaded.Version} of '{loaded.Id}' is already in use with different content (bundle {knownHash[..12]}…); bump the version.",
            new SourceLocation(loader.DisplayPath(Path.Combine(folder, TemplateLoader.ManifestFileName)), line, column));
    }
}
