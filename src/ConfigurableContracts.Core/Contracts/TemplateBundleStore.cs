using System.Data.Common;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Templates;
using Dapper;

namespace ConfigurableContracts.Core.Contracts;

/// <summary>
/// The exact files of every template version ever used, content-addressed by bundle hash, so a contract (or a
/// decision) made under old files stays evaluable after the files on disk change.
/// </summary>
public sealed class TemplateBundleStore(DbConnectionFactory connections, TimeProvider time)
{
    /// <summary>Stores the bundle unless a bundle with its hash is already stored.</summary>
    public async Task EnsureStoredAsync(TemplateVersion template, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await EnsureStoredAsync(connection, null, connections.Dialect, template, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored files of a bundle (path to text), or null when no bundle has that hash.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> GetFilesAsync(string hash, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var files = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT files FROM template_bundles WHERE hash = @hash", new { hash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return files is null ? null : JsonSerializer.Deserialize<SortedDictionary<string, string>>(files);
    }

    /// <summary>
    /// Inserts only when absent, in one statement the database arbitrates, so two contracts created at once on the
    /// same new bundle both succeed and the bundle is stored once.
    /// </summary>
    internal static Task EnsureStoredAsync(
        DbConnection connection, DbTransaction? transaction, SqlDialect dialect, TemplateVersion template, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sql = dialect.Provider == DatabaseProvider.SqlServer
            ? """
              INSERT INTO template_bundles (hash, template_id, version, files, stored_at)
              SELECT @Hash, @TemplateId, @Version, @Files, @StoredAt
              WHERE NOT EXISTS (SELECT 1 FROM template_bundles WITH (UPDLOCK, HOLDLOCK) WHERE hash = @Hash)
              """
            : """
              INSERT INTO template_bundles (hash, template_id, version, files, stored_at)
              VALUES (@Hash, @TemplateId, @Version, @Files, @StoredAt)
              ON CONFLICT (hash) DO NOTHING
              """;
        var files = JsonSerializer.Serialize(new SortedDictionary<string, string>(template.Files.ToDictionary(), StringComparer.Ordinal));
        return connection.ExecuteAsync(new CommandDefinition(
            sql,
            new { Hash = template.BundleHash, TemplateId = template.Id, template.Version, Files = files, StoredAt = now },
            transaction,
            cancellationToken: cancellationToken));
    }
}
