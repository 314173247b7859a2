using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using Dapper;
using Microsoft.Data.Sqlite;

namespace ConfigurableContracts.Core.Tests.Data;

/// <summary>
/// The SQLite statement the nightly run and bulk intake write through: it skips rebinding a value a parameter already
/// holds, so each row must still store exactly the values it was given.
/// </summary>
public sealed class SqliteStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteStatementTests()
    {
        DapperTypeHandlers.Register();
        _connection.Open();
        _connection.Execute("CREATE TABLE t (n INTEGER, a TEXT, b TEXT, d TEXT, m TEXT)");
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task Rows_StoreTheirOwnValues_WhenSomeRepeatFromTheRowBefore()
    {
        var shared = "same-every-row";
        var rows = new (long N, string? A, string? B, DateOnly D, decimal M)[]
        {
            (1, shared, "x", new DateOnly(2022, 1, 1), 1.0m),
            (2, shared, null, new DateOnly(2022, 1, 1), 1.00m),
            (3, shared, null, new DateOnly(2022, 1, 2), 1.00m),
            (3, null, new string('é', 3), new DateOnly(2022, 1, 2), 2m),
            (5, shared, new string('é', 3), new DateOnly(2022, 1, 2), 2m),
        };
        await using (var transaction = _connection.BeginTransaction())
        await using (var insert = new PreparedCommand(_connection, transaction, SqlDialect.For(DatabaseProvider.Sqlite), "INSERT INTO t (n, a, b, d, m) VALUES (@n, @a, @b, @d, @m)"))
        {
            foreach (var row in rows)
            {
                Assert.Equal(1, await insert.SetRow(["@n", "@a", "@b", "@d", "@m"], row.N, row.A, row.B, row.D, row.M).ExecuteAsync(CancellationToken.None));
            }

            transaction.Commit();
        }

        var stored = _connection.Query<(long N, string? A, string? B, string D, string M)>("SELECT n, a, b, d, m FROM t ORDER BY rowid").ToList();
        Assert.Equal(
        [
            (1, shared, "x", "2022-01-01", "1.0"),
            (2, shared, null, "2022-01-01", "1.00"),
            (3, shared, null, "2022-01-02", "1.00"),
            (3, null, "ééé", "2022-01-02", "2"),
            (5, shared, "ééé", "2022-01-02", "2"),
        ], stored);
    }

    [Fact]
    public async Task Utf8Text_IsStoredAsText_NotAsABlob()
    {
        await using (var transaction = _connection.BeginTransaction())
        await using (var insert = new PreparedCommand(_connection, transaction, SqlDialect.For(DatabaseProvider.Sqlite), "INSERT INTO t (a) VALUES (@a)"))
        {
            await insert.SetRow(["@a"], Utf8Text.From("""{"å":1}""")).ExecuteAsync(CancellationToken.None);
            transaction.Commit();
        }

        Assert.Equal(("text", """{"å":1}"""), _connection.QuerySingle<(string, string)>("SELECT typeof(a), a FROM t"));
    }

    [Fact]
    public async Task Execute_ThrowsASqliteExceptionWithTheConstraintCode_AndTheStatementStaysUsable()
    {
        _connection.Execute("CREATE TABLE u (k TEXT PRIMARY KEY)");
        await using var transaction = _connection.BeginTransaction();
        await using var insert = new PreparedCommand(_connection, transaction, SqlDialect.For(DatabaseProvider.Sqlite), "INSERT INTO u (k) VALUES (@k)");
        await insert.SetRow(["@k"], "one").ExecuteAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<SqliteException>(() => insert.SetRow(["@k"], "one").ExecuteAsync(CancellationToken.None));

        Assert.True(DbErrors.IsUniqueViolation(error));
        Assert.Equal(1, await insert.SetRow(["@k"], "two").ExecuteAsync(CancellationToken.None));
    }
}
