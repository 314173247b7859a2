using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Core.Data;

/// <summary>
/// Applies the versioned SQL scripts shipped in <c>Data/Migrations</c> (<c>NNNN_name.{sqlite|postgres|sqlserver}.sql</c>)
/// in order, each in its own transaction, and records them in <c>schema_migrations</c>.
/// </summary>
/// <remarks>
/// Several server instances may start at once against one PostgreSQL or SQL Server database; a database-side lock
/// makes exactly one of them migrate while the others wait, so no script runs twice.
/// </remarks>
public sealed partial class MigrationRunner(DbConnectionFactory connections, ILogger<MigrationRunner> logger)
{
    private const long PostgresLockKey = 0x43_43_4D_49_47; // "CCMIG"

    /// <summary>The scripts this build carries for the configured database, in version order.</summary>
    public IReadOnlyList<Migration> Available { get; } = LoadScripts(connections.Dialect);

    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var provider = connections.Dialect.Provider;
        await AcquireLockAsync(connection, provider).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(CreateHistoryTableSql(provider)).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations").ConfigureAwait(false)).ToHashSet();
            var count = 0;
            foreach (var migration in Available.Where(m => !applied.Contains(m.Version)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                foreach (var batch in migration.Batches)
                {
                    await connection.ExecuteAsync(batch, transaction: transaction).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                    new { migration.Version, migration.Name, AppliedAt = DateTimeOffset.UtcNow },
                    transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Applied migration {Version:D4} {Name} on {Provider}", migration.Version, migration.Name, provider);
                count++;
            }

            return count;
        }
        finally
        {
            await ReleaseLockAsync(connection, provider).ConfigureAwait(false);
        }
    }

    /// <summary>The versions recorded as applied, for health checks and the CLI.</summary>
    public async Task<IReadOnlyList<int>> AppliedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(CreateHistoryTableSql(connections.Dialect.Provider)).ConfigureAwait(false);
        return (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version").ConfigureAwait(false)).ToList();
    }

    private static string CreateHistoryTableSql(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.SqlServer =>
            "IF OBJECT_ID(N'schema_migrations', N'U') IS NULL CREATE TABLE schema_migrations (version int NOT NULL PRIMARY KEY, name nvarchar(200) NOT NULL, applied_at datetimeoffset NOT NULL)",
        DatabaseProvider.PostgreSql =>
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
        _ =>
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    };

    private static async Task AcquireLockAsync(DbConnection connection, DatabaseProvider provider)
    {
        switch (provider)
        {
            case DatabaseProvider.PostgreSql:
                await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = PostgresLockKey }).ConfigureAwait(false);
                break;
            case DatabaseProvider.SqlServer:
                await connection.ExecuteAsync(
                    "EXEC sp_getapplock @Resource = 'configurable_contracts_migrations', @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 60000").ConfigureAwait(false);
                break;
            default:
                // SQLite is single-instance by design; each migration's transaction is enough.
                break;
        }
    }

    private static async Task ReleaseLockAsync(DbConnection connection, DatabaseProvider provider)
    {
        switch (provider)
        {
            case DatabaseProvider.PostgreSql:
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = PostgresLockKey }).ConfigureAwait(false);
                break;
            case DatabaseProvider.SqlServer:
                await connection.ExecuteAsync(
                    "EXEC sp_releaseapplock @Resource = 'configurable_contracts_migrations', @LockOwner = 'Session'").ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private static List<Migration> LoadScripts(SqlDialect dialect)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var suffix = $".{dialect.MigrationSuffix}.sql";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ScriptName().Match(resource);
            if (!match.Success || !resource.EndsWith(suffix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var sql = reader.ReadToEnd();
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                SplitBatches(sql)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migration scripts share version {migrations[i].Version:D4}.");
            }
        }

        return migrations;
    }

    // SQL Server tooling separates batches with a line holding only GO; the other scripts have none.
    private static string[] SplitBatches(string sql) =>
        BatchSeparator().Split(sql).Select(b => b.Trim()).Where(b => b.Length > 0).ToArray();

    [GeneratedRegex(@"\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.[a-z]+\.sql$")]
    private static partial Regex ScriptName();

    [GeneratedRegex(@"^\s*GO\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex BatchSeparator();
}

/// <summary>One versioned migration script, split into the batches the database executes.</summary>
public sealed record Migration(int Version, string Name, IReadOnlyList<string> Batches);
