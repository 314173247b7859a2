using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ConfigurableContracts.Core.Data;

/// <summary>Opens connections to the configured database, with the per-connection settings each one needs.</summary>
public sealed class DbConnectionFactory
{
    private readonly string _connectionString;

    public DbConnectionFactory(IOptions<DatabaseOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        Dialect = SqlDialect.For(value.Provider);
        _connectionString = value.ConnectionString
            ?? throw new InvalidOperationException("Database:ConnectionString is not set.");
        if (Dialect.Provider == DatabaseProvider.Sqlite)
        {
            EnsureSqliteFolderExists(_connectionString);
        }
    }

    public SqlDialect Dialect { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Dialect.Provider switch
        {
            DatabaseProvider.Sqlite => new SqliteConnection(_connectionString),
            DatabaseProvider.PostgreSql => new NpgsqlConnection(_connectionString),
            DatabaseProvider.SqlServer => new SqlConnection(_connectionString),
            _ => throw new InvalidOperationException($"Unknown provider {Dialect.Provider}."),
        };
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (Dialect.Provider == DatabaseProvider.Sqlite)
            {
                await ConfigureSqliteAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ConfigureSqliteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // page_size takes effect only on a new, empty database: 16 KiB pages hold a dozen decision rows where 4 KiB
        // pages hold three, so a night's inserts split and write fewer pages. WAL lets readers run beside the
        // nightly writer; synchronous=FULL makes a commit survive a power cut, which the payment ledger relies on
        // (the nightly writer alone relaxes it, see EvaluationStore.OpenWriterAsync); foreign keys are off by
        // default in SQLite; the busy timeout turns a writer collision into a short wait instead of SQLITE_BUSY.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void EnsureSqliteFolderExists(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
