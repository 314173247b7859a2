using System.Collections.Concurrent;
using ConfigurableContracts.Core.Data;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Finds the exact template a contract or decision was made with, by bundle hash: from the catalog while those files
/// are still on disk, otherwise from the bundle stored in the database when it was first used. That keeps old
/// contracts evaluable and old decisions replayable after the template's files have changed.
/// </summary>
public sealed class BundleTemplates(TemplateCatalog catalog, DbConnectionFactory connections)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TemplateVersion>>> _stored = new(StringComparer.Ordinal);

    public Task<TemplateVersion> GetAsync(string bundleHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundleHash);
        if (catalog.FindByHash(bundleHash) is { } loaded)
        {
            return Task.FromResult(loaded);
        }

        return _stored.GetOrAdd(bundleHash, hash => new Lazy<Task<TemplateVersion>>(() => LoadStoredAsync(hash, cancellationToken))).Value;
    }

    private async Task<TemplateVersion> LoadStoredAsync(string bundleHash, CancellationToken cancellationToken)
    {
        var stored = await StoredBundles.FindAsync(connections, bundleHash, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No template bundle {bundleHash} is stored.");
        TemplateLoadResult result;
        try
        {
            result = BundleFolder.Load(stored.TemplateId, stored.Files);
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException($"Template bundle {bundleHash} cannot be laid out: {exception.Message}", exception);
        }

        var version = result.Version
            ?? throw new InvalidOperationException($"Stored template bundle {bundleHash} no longer loads: {string.Join("; ", result.Diagnostics)}");
        if (version.BundleHash == bundleHash)
        {
            return version;
        }

        // Stored before documentation left the identity: the same template when the stored files are the ones
        // hashed then and, documentation aside, the ones just loaded.
        return TemplateLoader.BundleHash(stored.Files) == bundleHash && BundlePaths.SameIdentity(stored.Files, version.Files)
            ? version.AsStored(bundleHash, stored.Files)
            : throw new InvalidOperationException($"Stored template bundle {bundleHash} hashes to {version.BundleHash}; the stored files were altered.");
    }
}
