
namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Finds a template version by id and number: loaded from disk, or stored for a contract when the files on disk
/// have moved on since. A provider or auditor reads the rules a contract runs on through this, whatever the disk
/// holds today.
/// </summary>
public sealed class TemplateVersions(TemplateCatalog catalog, StoredBundles stored, BundleTemplates bundles)
{
    /// <summary>The version, loaded and ready to use, or null when neither the catalog nor the database knows it.</summary>
    public async Task<TemplateVersion?> FindAsync(string templateId, string version, CancellationToken cancellationToken = default)
    {
        if (catalog.TryGet(templateId, version, out var loaded))
        {
            return loaded;
        }

        return await stored.FindAsync(templateId, version, cancellationToken).ConfigureAwait(false) is { } bundle
            ? await bundles.GetAsync(bundle.Hash, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// The version's files by bundle key, or null when it is unknown. Read as stored, without loading them: an
    /// auditor can read a bundle even when this build no longer compiles it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>?> FilesAsync(string templateId, string version, CancellationToken cancellationToken = default)
    {
        if (catalog.TryGet(templateId, version, out var loaded))
        {
            return loaded.Files;
        }

        return (await stored.FindAsync(templateId, version, cancellationToken).ConfigureAwait(false))?.Files;
    }
}
