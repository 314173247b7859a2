using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ConfigurableContracts.Core.Data;

/// <summary>Recognises the database errors the stores turn into answers rather than failures.</summary>
public static class DbErrors
{
    /// <summary>A unique or primary key constraint refused the row: someone else wrote it first.</summary>
    public static bool IsUniqueViolation(DbException exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqlException sqlServer => sqlServer.Number is 2627 or 2601,
        _ => false,
    };

    /// <summary>
    /// The database could not store data for a reason outside the request — the disk is full, the database is
    /// read-only, an I/O error, a lock not granted in time, the server out of resources or out of reach — or null
    /// when <paramref name="exception"/> (or one it wraps) is no such failure. Such a failure passes: the same request
    /// can succeed later, unchanged, so it is answered 503 with Retry-After rather than 500.
    /// </summary>
    public static WriteFailure? WriteFailureOf(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException db && Classify(db) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private static WriteFailure? Classify(DbException exception) => exception switch
    {
        // Primary result codes (the low byte of the extended code): https://sqlite.org/rescode.html
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xff) switch
        {
            13 => WriteFailure.DiskFull, // SQLITE_FULL
            8 => WriteFailure.ReadOnly, // SQLITE_READONLY
            10 or 14 or 15 => WriteFailure.IoError, // SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PROTOCOL
            5 or 6 => WriteFailure.Busy, // SQLITE_BUSY past busy_timeout, SQLITE_LOCKED
            7 => WriteFailure.Unavailable, // SQLITE_NOMEM
            _ => null,
        },
        PostgresException postgres => postgres.SqlState switch
        {
            PostgresErrorCodes.DiskFull => WriteFailure.DiskFull,
            PostgresErrorCodes.ReadOnlySqlTransaction => WriteFailure.ReadOnly,
            PostgresErrorCodes.IoError or PostgresErrorCodes.DataCorrupted => WriteFailure.IoError,
            PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                or PostgresErrorCodes.QueryCanceled => WriteFailure.Busy,
            PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.TooManyConnections
                or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow => WriteFailure.Unavailable,
            { } state when state.StartsWith("08", StringComparison.Ordinal) => WriteFailure.Unavailable, // connection exceptions
            _ => null,
        },
        // Npgsql's own failures (no server answer: connection refused or lost, timeout) say whether they pass.
        NpgsqlException npgsql when npgsql.IsTransient => WriteFailure.Unavailable,
        // https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors
        SqlException sqlServer => sqlServer.Number switch
        {
            1101 or 1105 or 9002 => WriteFailure.DiskFull, // filegroup full, transaction log full
            3906 or 3908 => WriteFailure.ReadOnly, // database or filegroup read-only
            823 or 824 or 825 => WriteFailure.IoError,
            1222 or 1205 or -2 => WriteFailure.Busy, // lock request timeout, deadlock victim, command timeout
            701 or 8645 or 40501 or 40613 or 40197 or 233 or 10053 or 10054 or 10060 or -1 => WriteFailure.Unavailable,
            _ => null,
        },
        _ => null,
    };
}

/// <summary>
/// Why the database could not store data, as a short code an operator can alert on (<see cref="Reason"/>), a sentence
/// for people, and how long a client should wait before trying again.
/// </summary>
/// <remarks>
/// <see cref="Persists"/>: a condition of the storage (full, read-only, failing) lasts until space returns or someone
/// acts, so every write meets it; a lock not granted or a lost connection is over by the next request.
/// </remarks>
public sealed record WriteFailure(string Reason, string Description, TimeSpan RetryAfter, bool Persists)
{
    public static WriteFailure DiskFull { get; } =
        new("disk-full", "The database's disk is full.", TimeSpan.FromSeconds(30), Persists: true);

    public static WriteFailure ReadOnly { get; } =
        new("read-only", "The database is read-only.", TimeSpan.FromSeconds(30), Persists: true);

    public static WriteFailure IoError { get; } =
        new("io-error", "The database could not read or write its files.", TimeSpan.FromSeconds(30), Persists: true);

    public static WriteFailure Busy { get; } =
        new("busy", "The database did not grant a lock in time.", TimeSpan.FromSeconds(2), Persists: false);

    public static WriteFailure Unavailable { get; } =
        new("unavailable", "The database is out of reach or out of resources.", TimeSpan.FromSeconds(10), Persists: false);
}
