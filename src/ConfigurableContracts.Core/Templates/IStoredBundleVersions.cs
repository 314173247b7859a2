namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The template bundles a host has stored for contracts, so that the catalog refuses files that reuse a stored
/// version number with other content — after a restart as much as while running. Hosts without contracts of their
/// own to protect (the CLI, tests of the catalog alone) give the catalog none.
/// </summary>
public interface IStoredBundleVersions
{
    /// <summary>Every stored bundle's template id, version and hash; read once per reload.</summary>
    IReadOnlyList<StoredBundleVersion> Read();

    /// <summary>The files stored under <paramref name="bundleHash"/>, or null when none are.</summary>
    IReadOnlyDictionary<string, string>? Files(string bundleHash);
}

/// <summary>One stored bundle: which template version it is, and its hash.</summary>
public sealed record StoredBundleVersion(string TemplateId, string Version, string BundleHash);
