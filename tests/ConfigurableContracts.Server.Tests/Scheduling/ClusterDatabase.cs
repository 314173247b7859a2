using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ConfigurableContracts.Server.Tests.Scheduling;

/// <summary>A fresh PostgreSQL database with every migration applied, dropped afterwards.</summary>
internal sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;
    private readonly DbConnectionFactory _connections;

    private ClusterDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        _connections = new DbConnectionFactory(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.PostgreSql, ConnectionString = ConnectionString }));
    }

    public string ConnectionString { get; }

    public static async Task<ClusterDatabase> CreateAsync()
    {
        DapperTypeHandlers.Register();
        var server = PostgreSqlFactAttribute.ServerConnectionString!;
        var database = new ClusterDatabase(server, $"cc_cluster_{Guid.NewGuid():N}");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {database._name}");
        }

        await new MigrationRunner(database._connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        return database;
    }

    public async Task SeedAsync(string contractId, string cron)
    {
        await ContractSeeder.AddTinyContractAsync(_connections, contractId, participants: 1, scheduleCron: cron);
    }

    public async Task<List<EvaluationRun>> AllRunsAsync() =>
        [.. (await new EvaluationRunStore(_connections).ListAsync(new RunQuery(PageSize: 100))).Runs];

    public async Task<List<EvaluationRun>> WaitForRunsAsync(Func<EvaluationRun, bool> match, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = (await AllRunsAsync()).Where(match).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(found.Count >= count, $"Expected {count} matching run(s) within {timeout}, found {found.Count}.");
                return found;
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}
