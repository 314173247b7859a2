using System.Data.Common;
using ConfigurableContracts.Core.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ConfigurableContracts.Core.Tests.Data;

/// <summary>
/// A fresh, empty database of one provider, owned by one test and dropped afterwards. SQLite always works;
/// PostgreSQL and SQL Server need <c>ConnectionStrings__PostgreSql</c> / <c>ConnectionStrings__SqlServer</c>
/// naming a server where the user may create databases.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly Func<Task> _drop;

    private TestDatabase(DatabaseProvider provider, string connectionString, Func<Task> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public DatabaseOptions Options => new() { Provider = Provider, ConnectionString = ConnectionString };

    public static string? ServerConnectionString(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.PostgreSql => Environment.GetEnvironmentVariable("ConnectionStrings__PostgreSql"),
        DatabaseProvider.SqlServer => Environment.GetEnvironmentVariable("ConnectionStrings__SqlServer"),
        _ => "built-in",
    };

    /// <summary>Why tests for <paramref name="provider"/> cannot run here, or null when they can.</summary>
    public static string? SkipReason(DatabaseProvider provider) =>
        string.IsNullOrWhiteSpace(ServerConnectionString(provider))
            ? $"{provider} store tests need ConnectionStrings__{provider} set to a server where databases may be created."
            : null;

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var name = $"cc_test_{Guid.NewGuid():N}";
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
            {
                var file = Path.Combine(Path.GetTempPath(), name + ".db");
                var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
                return new TestDatabase(provider, connectionString, () =>
                {
                    File.Delete(file);
                    File.Delete(file + "-wal");
                    File.Delete(file + "-shm");

                    return Task.CompletedTask;
                });
            }

            case DatabaseProvider.PostgreSql:
            {
                var server = ServerConnectionString(provider)!;
                await ExecuteAsync(new NpgsqlConnection(server), $"CREATE DATABASE {name}").ConfigureAwait(false);
                var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ToString();
                return new TestDatabase(provider, connectionString, () =>
                    ExecuteAsync(new NpgsqlConnection(server), $"DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }

            case DatabaseProvider.SqlServer:
            {
                var server = ServerConnectionString(provider)!;
                await ExecuteAsync(new SqlConnection(server), $"CREATE DATABASE {name}").ConfigureAwait(false);
                var connectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = name, Pooling = false }.ToString();
                return new TestDatabase(provider, connectionString, () => ExecuteAsync(
                    new SqlConnection(server),
                    $"ALTER DATABASE {name} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE {name}"));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
    }

    public ValueTask DisposeAsync() => new(_drop());

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }
}
