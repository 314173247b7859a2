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
    private readonly string? _sqliteFolder;

    public DbConnectionFactory(IOptions<DatabaseOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        Dialect = SqlDialect.For(value.Provider);
        _connectionString = value.ConnectionString
            ?? throw new InvalidOperationException("Database:ConnectionString is not set.");
        if (Dialect.Provider == DatabaseProvider.Sqlite)
        {
            _sqliteFolder = EnsureSqliteFolderExists(_connectionString);
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

    /// <summary>
    /// <see cref="DbErrors.WriteFailureOf"/>, knowing where the database lives: SQLite reports a full disk as an I/O
    /// error when the space ran out while it grew its shared-memory index or log rather than on a write of data, so an
    /// I/O error on a disk with (next to) nothing free is called what it is.
    /// </summary>
    public WriteFailure? WriteFailureOf(Exception? exception)
    {
        var failure = DbErrors.WriteFailureOf(exception);
        return failure == WriteFailure.IoError && SqliteFreeBytes() is < NearlyFullBytes ? WriteFailure.DiskFull : failure;
    }

    /// <summary>Less free space than this on the database's disk counts as full: a log frame and index is more.</summary>
    private const long NearlyFullBytes = 256 * 1024;

    private long? SqliteFreeBytes()
    {
        if (Dialect.Provider != DatabaseProvider.Sqlite || _sqliteFolder is null)
        {
            return null;
        }

        try
        {
            return new DriveInfo(_sqliteFolder).AvailableFreeSpace;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Copies SQLite's write-ahead log into the database and truncates the log to nothing, giving its space back to
    /// the disk: after a write failed for want of space (the log may be most of what filled it), and once writes succeed
    /// again. False when readers or a writer kept part of the log in use, so it could not be truncated this time;
    /// true, doing nothing, on PostgreSQL and SQL Server, which manage their own logs.
    /// </summary>
    public async Task<bool> TruncateLogAsync(CancellationToken cancellationToken = default)
    {
        if (Dialect.Provider != DatabaseProvider.Sqlite)
        {
            return true;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var patience = connection.CreateCommand())
        {
            // A request's error answer waits for this: a second is enough for readers to move on, not a stall.
            patience.CommandText = "PRAGMA busy_timeout=1000";
            await patience.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        // One row: busy (1 when the checkpoint could not finish), frames in the log, frames checkpointed.
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetInt64(0) == 0;
    }

    private static async Task ConfigureSqliteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // page_size takes effect only on a new, empty database: 16 KiB pages hold a dozen decision rows where 4 KiB
        // pages hold three, so a night's inserts split and write fewer pages. WAL lets readers run beside the
        // nightly writer; synchronous=FULL makes a commit survive a power cut, which the payment ledger relies on
        // (the nightly writer alone relaxes it, see EvaluationStore.OpenWriterAsync); foreign keys are off by
        // default in SQLite; the busy timeout turns a writer collision into a short wait instead of SQLITE_BUSY.
        // journal_size_limit: a log that a night or a burst of writes grew is cut back to 64 MiB whenever a checkpoint
        // lets it restart, instead of keeping its largest size on disk for good (it once held 2.6 times the database).
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA journal_size_limit=67108864;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the database file's folder; returns it, or null for an in-memory or URI data source.</summary>
    private static string? EnsureSqliteFolderExists(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return null;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (string.IsNullOrEmpty(folder))
        {
            return null;
        }

        Directory.CreateDirectory(folder);
        return folder;
    }
}
