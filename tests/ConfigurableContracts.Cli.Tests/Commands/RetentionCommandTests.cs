using System.CommandLine;
using ConfigurableContracts.Cli.Commands;
using ConfigurableContracts.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class RetentionCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cc_cli_retention_").FullName;
    private readonly DbConnectionFactory _connections;

    public RetentionCommandTests()
    {
        DapperTypeHandlers.Register();
        _connections = new DbConnectionFactory(Options.Create(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(_folder, "contracts.db")};Pooling=false",
        }));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task DryRun_ListsTheDueContract_AndRemovesNothing()
    {
        var settings = await SeedAsync(periodYears: 5);
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "retention", "--dry-run", "--settings", settings);

        Assert.Equal(0, exit);
        Assert.Contains("would remove contract c-old (closed 2000-03-01, removable from 2005-03-01): 1 participant(s)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 contract(s) due", output.ToString(), StringComparison.Ordinal);
        await using var connection = await _connections.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM participants"));
    }

    [Fact]
    public async Task Retention_ExitsTwo_QuotingTheBadPeriod_BeforeTouchingAnything()
    {
        var settings = await SeedAsync(periodYears: 0);
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "retention", "--settings", settings);

        Assert.Equal(2, exit);
        Assert.Contains("Retention:PeriodYears '0'", output.ToString(), StringComparison.Ordinal);
        await using var connection = await _connections.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM participants"));
    }

    private static Task<int> InvokeAsync(TextWriter output, params string[] args)
    {
        var root = new RootCommand { RetentionCommand.Create() };
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
    }

    /// <summary>A contract closed on 2000-03-01 with one participant; the settings file with the given period.</summary>
    private async Task<string> SeedAsync(int periodYears)
    {
        var settings = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(settings, $$"""{ "Database": { "Provider": "Sqlite" }, "ConnectionStrings": { "Sqlite": "Data Source=contracts.db;Pooling=false" }, "Retention": { "PeriodYears": {{periodYears}} } }""");
        await new MigrationRunner(_connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await using var connection = await _connections.OpenAsync();
        var at = new DateTimeOffset(2000, 1, 5, 9, 0, 0, TimeSpan.Zero);
        await connection.ExecuteAsync("INSERT INTO organisations (id, name, created_at) VALUES ('kommun', 'Kommun', @at), ('forening', 'Förening', @at)", new { at });
        await connection.ExecuteAsync("INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES ('b1', 'tiny', '1.0.0', '{}', @at)", new { at });
        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version, created_at, updated_at, closed_at)
            VALUES ('c-old', 'kommun', 'tiny', '1.0.0', 'b1', 'Old', '{}', 'closed', 3, @at, @at, @closed)
            """, new { at, closed = new DateTimeOffset(2000, 3, 1, 12, 0, 0, TimeSpan.Zero) });
        await connection.ExecuteAsync("INSERT INTO contract_providers (contract_id, provider_id) VALUES ('c-old', 'forening')");
        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES ('p1', 'c-old', 'forening', 'X-1', '2000-01-10', '{}', 1, @at, 'test', @at)
            """, new { at });
        return settings;
    }
}
