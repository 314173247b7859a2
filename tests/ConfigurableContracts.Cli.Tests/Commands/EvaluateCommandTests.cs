using System.CommandLine;
using ConfigurableContracts.Cli.Commands;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Evaluations;
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

    private static Task<int> InvokeAsync(TextWriter output, params string[] args)
    {
        var root = new RootCommand { EvaluateCommand.Create() };
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
    }

    private async Task SeedAsync(string contractId, int participants)
    {
        await using var connection = await _connections.OpenAsync();
        var at = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        await connection.ExecuteAsync("INSERT INTO organisations (id, name, created_at) VALUES ('org', 'Org', @at)", new { at });
        // A real (tiny) stored bundle, as if a contract had been created from it, so the run evaluates for real.
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["schemas/tiny/template.json"] = """
                {"id":"tiny","version":"1.0.0","title":{"en":"Tiny"},
                 "schemas":{"contract":"any.schema.json","participant":"any.schema.json","measurement":"any.schema.json"},
                 "rules":{"folder":"../../rules/tiny"},
                 "workflows":[{"name":"Count","file":"count.json","scope":"participant","inputs":{"participant":"participant","asOf":"date"}}],
                 "measurementPlan":{"points":[{"id":"baseline","offsetMonths":0}]}}
                """,
            ["schemas/tiny/any.schema.json"] = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}""",
            ["rules/tiny/count.json"] = """{"WorkflowName":"Count","Rules":[{"RuleName":"Enrolled","Expression":"participant != null"}]}""",
        };
        var hash = ConfigurableContracts.Core.Templates.TemplateLoader.BundleHash(files);
        await connection.ExecuteAsync(
            "INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES (@hash, 'tiny', '1.0.0', @files, @at)",
            new { hash, files = System.Text.Json.JsonSerializer.Serialize(files), at });
        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version, created_at, updated_at, activated_at)
            VALUES (@contractId, 'org', 'tiny', '1.0.0', @hash, 'T', '{}', 'active', 1, @at, @at, @at)
            """, new { contractId, hash, at });
        await connection.ExecuteAsync("INSERT INTO contract_providers (contract_id, provider_id) VALUES (@contractId, 'org')", new { contractId });
        for (var i = 0; i < participants; i++)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
                VALUES (@id, @contractId, 'org', @pseudonym, @enrolled, '{}', 1, @at, 'seed', @at)
                """, new { id = $"p{i}", contractId, pseudonym = $"P-{i}", enrolled = new DateOnly(2025, 9, 1), at });
        }
    }
}
