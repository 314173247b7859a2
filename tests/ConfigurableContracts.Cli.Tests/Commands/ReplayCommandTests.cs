using System.CommandLine;
using ConfigurableContracts.Cli.Commands;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class ReplayCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("replay-command-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Replay_ExitsTwo_AndSaysSo_AndAuditsTheTry_WhenTheDecisionIsUnknown()
    {
        var database = Path.Combine(_directory.FullName, "contracts.db");
        var settings = Path.Combine(_directory.FullName, "appsettings.json");
        File.WriteAllText(settings, $$"""{ "Database": { "Provider": "Sqlite", "ConnectionString": "Data Source={{database}};Pooling=false" } }""");
        var root = new RootCommand { MigrateCommand.Create(), ReplayCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };

        Assert.Equal(0, root.Parse(["migrate", "--settings", settings]).Invoke(configuration));
        var exitCode = root.Parse(["replay", "--decision", "no-such-id", "--settings", settings]).Invoke(configuration);

        Assert.Equal(2, exitCode);
        Assert.Contains("no decision 'no-such-id'", error.ToString(), StringComparison.Ordinal);
        using var log = new AuditLog(Connections(database), TimeProvider.System);
        var entry = Assert.Single(await log.QueryAsync(new AuditQuery(Limit: 1000)));
        Assert.Equal(("cli.replay", "not-found", "decisionId=no-such-id"), (entry.Action, entry.Outcome, entry.Resource));
    }

    [Fact]
    public async Task Replay_AppendsAnAuditEntry_NamingTheOperatorDecisionContractAndPseudonym_AndTheChainVerifies()
    {
        var database = Path.Combine(_directory.FullName, "contracts.db");
        var settings = Path.Combine(_directory.FullName, "appsettings.json");
        File.WriteAllText(settings, $$"""{ "Database": { "Provider": "Sqlite", "ConnectionString": "Data Source={{database}};Pooling=false" } }""");
        var connections = Connections(database);
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await ContractSeeder.AddTinyContractAsync(connections, "c-replay", participants: 1);
        var root = new RootCommand { EvaluateCommand.Create(), ReplayCommand.Create() };
        using var output = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = output };
        Assert.Equal(0, await root.Parse(["evaluate", "--contract", "c-replay", "--settings", settings]).InvokeAsync(configuration));
        string decisionId;
        await using (var connection = await connections.OpenAsync())
        {
            decisionId = await connection.ExecuteScalarAsync<string>("SELECT id FROM decisions") ?? throw new InvalidOperationException("no decision was made");
        }

        var exitCode = await root.Parse(["replay", "--decision", decisionId, "--settings", settings]).InvokeAsync(configuration);

        Assert.Equal(0, exitCode);
        using var log = new AuditLog(connections, TimeProvider.System);
        var entry = Assert.Single(await log.QueryAsync(new AuditQuery(Limit: 1000)), e => e.Action == "cli.replay");
        Assert.Equal(("cli:" + Environment.UserName, "os-user", "allowed", "identical"), (entry.Subject, entry.Authentication, entry.Outcome, entry.Detail));
        Assert.Equal(("c-replay", "P-0", $"decisionId={decisionId}"), (entry.ContractId, entry.ParticipantPseudonym, entry.Resource));
        Assert.True((await log.VerifyAsync()).IsIntact);
    }

    private static DbConnectionFactory Connections(string database)
    {
        DapperTypeHandlers.Register();
        return new DbConnectionFactory(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={database};Pooling=false" }));
    }
}
