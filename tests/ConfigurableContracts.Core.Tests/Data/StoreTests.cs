using ConfigurableContracts.Core.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Tests.Data;

/// <summary>Names the database a store suite runs on; one small class per provider.</summary>
public interface IDatabaseKind
{
    DatabaseProvider Provider { get; }
}

public sealed class Sqlite : IDatabaseKind
{
    public DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgreSql : IDatabaseKind
{
    public DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}

public sealed class SqlServer : IDatabaseKind
{
    public DatabaseProvider Provider => DatabaseProvider.SqlServer;
}

/// <summary>
/// Base of every store test suite: write the tests once with <see cref="StoreFactAttribute"/>, then derive one
/// empty class per database. Each test gets its own fresh, migrated database.
/// </summary>
public abstract class StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    static StoreTests() => DapperTypeHandlers.Register();

    protected static DatabaseProvider Provider { get; } = new TDatabase().Provider;

    /// <summary>A fresh database with every migration applied, and its connection factory.</summary>
    protected static async Task<(TestDatabase Database, DbConnectionFactory Connections)> CreateMigratedAsync()
    {
        var (database, connections) = await CreateEmptyAsync();
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        return (database, connections);
    }

    protected static async Task<(TestDatabase Database, DbConnectionFactory Connections)> CreateEmptyAsync()
    {
        var database = await TestDatabase.CreateAsync(Provider);
        return (database, new DbConnectionFactory(Options.Create(database.Options)));
    }
}
