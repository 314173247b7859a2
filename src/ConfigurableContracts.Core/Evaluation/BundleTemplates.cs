using System.Collections.Concurrent;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Templates;
using Dapper;

namespace ConfigurableContracts.Core.Evaluation;

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

    /// <summary>Stores a version's files under its hash unless they are there already; safe to call concurrently.</summary>
    public async Task StoreAsync(TemplateVersion template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var exists = await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM template_bundles WHERE hash = @BundleHash", new { template.BundleHash }).ConfigureAwait(false);
        if (exists > 0)
        {
            return;
        }

        try
        {
            await connection.ExecuteAsync(
                "INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES (@BundleHash, @Id, @Version, @Files, @StoredAt)",
                new { template.BundleHash, template.Id, template.Version, Files = JsonSerializer.Serialize(template.Files), StoredAt = DateTimeOffset.UtcNow }).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException exception) when (DbErrors.IsUniqueViolation(exception))
        {
            // Another request stored the same bundle first; the content is identical by construction.
        }
    }

    private async Task<TemplateVersion> LoadStoredAsync(string bundleHash, CancellationToken cancellationToken)
    {
        string filesJson;
        string templateId;
        await using (var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = await connection.QuerySingleOrDefaultAsync<(string TemplateId, string Files)?>(
                "SELECT template_id AS TemplateId, files AS Files FROM template_bundles WHERE hash = @bundleHash", new { bundleHash }).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No template bundle {bundleHash} is stored.");
            (templateId, filesJson) = row;
        }

        // The stored paths are relative to a content root, so writing them under a folder of their own recreates
        // exactly the layout the loader read when the bundle was first used.
        var files = JsonSerializer.Deserialize<Dictionary<string, string>>(filesJson)
            ?? throw new InvalidOperationException($"Template bundle {bundleHash} has no files.");
        var root = Path.Combine(Path.GetTempPath(), "configurable-contracts-bundles", bundleHash);
        foreach (var (relative, text) in files)
        {
            var path = TemplateLoader.ResolveInside(root, relative)
                ?? throw new InvalidOperationException($"Template bundle {bundleHash} names a file outside its root: '{relative}'.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text, cancellationToken).ConfigureAwait(false);
        }

        var loader = new TemplateLoader(root, new TemplateOptions(), storedBundles: true);
        var result = loader.Load(Path.Combine(loader.SchemasRoot, templateId));
        var version = result.Version
            ?? throw new InvalidOperationException($"Stored template bundle {bundleHash} no longer loads: {string.Join("; ", result.Diagnostics)}");
        return version.BundleHash == bundleHash
            ? version
            : throw new InvalidOperationException($"Stored template bundle {bundleHash} hashes to {version.BundleHash}; the stored files were altered.");
    }
}
