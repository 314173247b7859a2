using ConfigurableContracts.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConfigurableContracts.Core.Tests.Data;

public abstract class MigrationTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task Migrate_AppliesEveryScript_OnAnEmptyDatabase()
    {
        var (database, connections) = await CreateEmptyAsync();
        await using var _ = database;
        var runner = new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance);

        var applied = await runner.MigrateAsync();

        Assert.True(applied >= 1);
        Assert.Equal(runner.Available.Select(m => m.Version), await runner.AppliedAsync());
    }

    [StoreFact]
    public async Task Migrate_AppliesNothing_WhenRunTwice()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;

        var applied = await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();

        Assert.Equal(0, applied);
    }

    [StoreFact]
    public async Task Migrate_AppliesEachScriptOnce_WhenInstancesStartTogether()
    {
        var (database, connections) = await CreateEmptyAsync();
        await using var _ = database;
        var runners = Enumerable.Range(0, 4).Select(_ => new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance)).ToList();

        // SQLite is single-instance by design; there the runs are sequential, elsewhere truly concurrent.
        var counts = Provider == DatabaseProvider.Sqlite
            ? [await runners[0].MigrateAsync(), .. await Task.WhenAll(runners.Skip(1).Select(r => r.MigrateAsync()))]
            : await Task.WhenAll(runners.Select(r => r.MigrateAsync()));

        Assert.Equal(runners[0].Available.Count, counts.Sum());
    }

    [StoreFact]
    public async Task InstantsAndDates_RoundTrip_ThroughNativeColumns()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await using var connection = await connections.OpenAsync();
        var instant = new DateTimeOffset(2022, 3, 1, 23, 30, 15, 123, TimeSpan.FromHours(1)).AddTicks(4567);
        var enrolled = new DateOnly(2021, 9, 30);

        await connection.ExecuteAsync("INSERT INTO organisations (id, name, created_at) VALUES ('org-1', 'Org', @instant)", new { instant });
        await connection.ExecuteAsync(
            "INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES ('h', 't', '1.0.0', '{}', @instant)", new { instant });
        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version, created_at, updated_at)
            VALUES ('c-1', 'org-1', 't', '1.0.0', 'h', 'T', '{}', 'draft', 1, @instant, @instant)
            """, new { instant });
        await connection.ExecuteAsync("INSERT INTO contract_providers (contract_id, provider_id) VALUES ('c-1', 'org-1')");
        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES ('p-1', 'c-1', 'org-1', 'HV-0001', @enrolled, '{}', 1, @instant, 'test', @instant)
            """, new { enrolled, instant });

        var readInstant = await connection.QuerySingleAsync<DateTimeOffset>("SELECT created_at FROM organisations WHERE id = 'org-1'");
        var readDate = await connection.QuerySingleAsync<DateOnly>("SELECT enrolment_date FROM participants WHERE id = 'p-1'");

        Assert.Equal(instant.UtcTicks / 10 * 10, readInstant.UtcTicks / 10 * 10); // PostgreSQL keeps microseconds
        Assert.Equal(TimeSpan.Zero, readInstant.Offset);
        Assert.Equal(enrolled, readDate);
    }
}

public sealed class SqliteMigrationTests : MigrationTests<Sqlite>;

public sealed class PostgreSqlMigrationTests : MigrationTests<PostgreSql>;

public sealed class SqlServerMigrationTests : MigrationTests<SqlServer>;
