using System.Data.Common;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Templates;
using Dapper;

namespace ConfigurableContracts.Core.Contracts;

/// <summary>
/// Stores the exact files of a template version, content-addressed by bundle hash, inside the transaction that
/// first uses them (a contract's creation), so the contract never exists without its bundle. Reading bundles back
/// is <c>Templates/BundleTemplates</c>' job.
/// </summary>
internal static class TemplateBundleStore
{
    /// <summary>
    /// Inserts only when absent, in one statement the database arbitrates, so two contracts created at once on the
    /// same new bundle both succeed and the bundle is stored once.
    /// </summary>
    public static Task EnsureStoredAsync(
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
