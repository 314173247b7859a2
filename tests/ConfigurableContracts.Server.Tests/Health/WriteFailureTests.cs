using ConfigurableContracts.Core.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ConfigurableContracts.Server.Tests.Health;

/// <summary>
/// Which database errors are a refused write (answered 503 with a reason) and which are not (a bug or a conflict,
/// answered as before): SQLite result codes and PostgreSQL SQLSTATEs as the drivers raise them, also when wrapped.
/// </summary>
public sealed class WriteFailureTests
{
    [Theory]
    [InlineData(13, 13, "disk-full")] // SQLITE_FULL
    [InlineData(8, 8, "read-only")] // SQLITE_READONLY
    [InlineData(8, 1032, "read-only")] // SQLITE_READONLY_DBMOVED
    [InlineData(10, 778, "io-error")] // SQLITE_IOERR_WRITE
    [InlineData(10, 4874, "io-error")] // SQLITE_IOERR_SHMSIZE
    [InlineData(5, 5, "busy")] // SQLITE_BUSY after busy_timeout
    [InlineData(6, 6, "busy")] // SQLITE_LOCKED
    public void Sqlite_StorageErrors_AreRefusedWrites(int code, int extended, string reason)
    {
        var failure = DbErrors.WriteFailureOf(new SqliteException("x", code, extended));

        Assert.Equal(reason, failure?.Reason);
    }

    [Theory]
    [InlineData(19, 2067)] // SQLITE_CONSTRAINT_UNIQUE: someone wrote it first
    [InlineData(1, 1)] // SQLITE_ERROR: bad SQL, a bug
    [InlineData(11, 11)] // SQLITE_CORRUPT: waiting mends nothing
    public void Sqlite_OtherErrors_AreNot(int code, int extended) =>
        Assert.Null(DbErrors.WriteFailureOf(new SqliteException("x", code, extended)));

    [Theory]
    [InlineData("53100", "disk-full")]
    [InlineData("25006", "read-only")]
    [InlineData("58030", "io-error")]
    [InlineData("55P03", "busy")]
    [InlineData("40P01", "busy")]
    [InlineData("53300", "unavailable")]
    [InlineData("57P03", "unavailable")]
    [InlineData("08006", "unavailable")]
    public void PostgreSql_StorageErrors_AreRefusedWrites(string sqlState, string reason)
    {
        var failure = DbErrors.WriteFailureOf(new PostgresException("x", "ERROR", "ERROR", sqlState));

        Assert.Equal(reason, failure?.Reason);
    }

    [Theory]
    [InlineData("23505")] // unique violation
    [InlineData("42P01")] // undefined table: a bug
    public void PostgreSql_OtherErrors_AreNot(string sqlState) =>
        Assert.Null(DbErrors.WriteFailureOf(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void AWrappedStorageError_IsFound_AndTheStorageOnesPersist()
    {
        var wrapped = new InvalidOperationException("batch failed", new AggregateException(new SqliteException("x", 13, 13)));

        var failure = DbErrors.WriteFailureOf(wrapped);

        Assert.Equal(WriteFailure.DiskFull, failure);
        Assert.True(failure!.Persists);
        Assert.False(WriteFailure.Busy.Persists);
        Assert.True(failure.RetryAfter > TimeSpan.Zero);
    }
}
