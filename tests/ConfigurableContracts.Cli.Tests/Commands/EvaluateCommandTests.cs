using System.CommandLine;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cc_cli_").FullName;
    private readonly DbConnectionFactory _connections;

    public EvaluateCommandTests()
    {
        DapperTypeHandlers.Register();
        File.WriteAllText(SettingsFile, """{ "Database": { "Provider": "Sqlite" }, "ConnectionStrings": { "Sqlite": "Data Source=contracts.db;Pooling=false" } }""");
        _connections = new DbConnectionFactory(Options.Create(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(_folder, "contracts.db")};Pooling=false",
        }));
    }

    private string SettingsFile => Path.Combine(_folder, "appsettings.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Evaluate_ExitsZero_PrintingProgressLinesAndTheRecordedRun()
    {
        await new MigrationRunner(_connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await SeedAsync("c-cli", participants: 5);
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "evaluate", "--contract", "c-cli", "--settings", SettingsFile);
        var (runs, total) = await new EvaluationRunStore(_connections).ListAsync(new RunQuery("c-cli"));

        Assert.Equal(0, exit);
        Assert.Equal(1, total);
        var run = runs[0];
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(RunTrigger.Manual, run.Trigger);
        Assert.StartsWith("cli-", run.InstanceId, StringComparison.Ordinal);
        Assert.Contains("c-cli: 5/5 participants", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"Run {run.Id} succeeded: 5 participants,", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("decisionsWritten=5", output.ToString(), StringComparison.Ordinal); // one rule, five participants
    }

    [Fact]
    public async Task Evaluate_ExitsOne_ForAContractThatIsNotActive()
    {
        await new MigrationRunner(_connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "evaluate", "--contract", "no-such", "--settings", SettingsFile);

        Assert.Equal(1, exit);
        Assert.Contains("'no-such' does not exist or is not active", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_RefusesABatchSizeOfZero_WritingNothing()
    {
        // A batch of no participants would read nobody and decide the cohort as if it were empty.
        File.WriteAllText(SettingsFile, """
            { "Database": { "Provider": "Sqlite" }, "ConnectionStrings": { "Sqlite": "Data Source=contracts.db;Pooling=false" },
              "Scheduler": { "BatchSize": 0 } }
            """);
        await new MigrationRunner(_connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await SeedAsync("c-cli", participants: 5);
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "evaluate", "--contract", "c-cli", "--settings", SettingsFile);

        Assert.Equal(1, exit);
        Assert.Equal("error: Scheduler:BatchSize '0' must be between 1 and 100000.", output.ToString().Trim());
        await using var connection = await _connections.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM decisions"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM evaluation_runs"));
    }

    [Fact]
    public async Task Evaluate_SaysToMigrate_WhenTheDatabaseHasNoTables()
    {
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "evaluate", "--contract", "c-cli", "--settings", SettingsFile);

        Assert.Equal(1, exit);
        var line = Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the database refused the command: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(a new database needs `contracts migrate` first)", line, StringComparison.Ordinal);
    }

    private static Task<int> InvokeAsync(TextWriter output, params string[] args) =>
        ContractsCli.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = output });

    private Task SeedAsync(string contractId, int participants) => ContractSeeder.AddTinyContractAsync(_connections, contractId, participants);
}
