using System.Text.Json;
using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Reads the template bundles stored in <c>template_bundles</c> when contracts were created: by hash, by template
/// version, and as the list the catalog checks version numbers against. Writing them is
/// <c>Contracts/TemplateBundleStore</c>' job.
/// </summary>
public sealed class StoredBundles(DbConnectionFactory connections, MigrationRunner migrations) : IStoredBundleVersions
{
    /// <summary>The bundle stored under <paramref name="bundleHash"/>, or null.</summary>
    public Task<StoredBundle?> FindAsync(string bundleHash, CancellationToken cancellationToken = default) =>
        FindAsync(connections, bundleHash, cancellationToken);

    /// <summary>The one query by hash, shared with <see cref="BundleTemplates"/>, which has no migration runner.</summary>
    internal static async Task<StoredBundle?> FindAsync(DbConnectionFactory connections, string bundleHash, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT hash AS Hash, template_id AS TemplateId, version AS Version, files AS Files FROM template_bundles WHERE hash = @bundleHash",
            new { bundleHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToBundle();
    }

    /// <summary>
    /// The bundle stored for <paramref name="templateId"/> <paramref name="version"/>, or null. Before versions
    /// meant content a version could be stored with several bundles; the one stored last is the one its files last
    /// held.
    /// </summary>
    public async Task<StoredBundle?> FindAsync(string templateId, string version, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT hash AS Hash, template_id AS TemplateId, version AS Version, files AS Files
            FROM template_bundles WHERE template_id = @templateId AND version = @version
            ORDER BY stored_at DESC, hash
            """,
            new { templateId, version }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.FirstOrDefault()?.ToBundle();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Synchronous because the catalog's reload is: it runs when the catalog is first resolved and on the reloader's
    /// thread, never on a request. The catalog is first loaded before migrations run, so a database without the
    /// first migration holds no bundles, rather than failing for want of the table.
    /// </remarks>
    public IReadOnlyList<StoredBundleVersion> Read()
    {
        if (!migrations.AppliedAsync().GetAwaiter().GetResult().Contains(1))
        {
            return [];
        }

        using var connection = connections.OpenAsync().GetAwaiter().GetResult();
        return connection.Query<StoredBundleVersion>(
            "SELECT template_id AS TemplateId, version AS Version, hash AS BundleHash FROM template_bundles").ToList();
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string>? Files(string bundleHash) => FindAsync(bundleHash).GetAwaiter().GetResult()?.Files;

    private sealed record Row(string Hash, string TemplateId, string Version, string Files)
    {
        public StoredBundle ToBundle() => new(Hash, TemplateId, Version,
            JsonSerializer.Deserialize<SortedDictionary<string, string>>(Files) ?? throw new InvalidOperationException($"Template bundle {Hash} has no files."));
    }
}

/// <summary>A bundle as stored: its hash, template version and files by bundle key.</summary>
public sealed record StoredBundle(string Hash, string TemplateId, string Version, IReadOnlyDictionary<string, string> Files);
