using System.CommandLine;
using ConfigurableContracts.Cli.Commands;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Tests.Commands;

/// <summary><c>contracts audit verify</c> as an auditor runs it: exit 0 for an intact chain, non-zero naming the first edited entry.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cc_audit_cli_").FullName;
    private readonly DbConnectionFactory _connections;

    public AuditCommandTests()
    {
        DapperTypeHandlers.Register();
        File.WriteAllText(SettingsFile, """{ "Database": { "Provider": "Sqlite", "ConnectionString": "Data Source=audit.db;Pooling=false" } }""");
        _connections = new DbConnectionFactory(Options.Create(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(_folder, "audit.db")};Pooling=false",
        }));
    }

    private string SettingsFile => Path.Combine(_folder, "appsettings.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Verify_ExitsZero_CountingTheEntries_WhenTheChainIsIntact()
    {
        await AppendThreeAsync();
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "audit", "verify", "--settings", SettingsFile);

        Assert.Equal(0, exit);
        Assert.Contains("intact: 3 entries verified", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExitsNonZero_NamingTheEditedEntry_WhenAnEntryWasTamperedWith()
    {
        var entries = await AppendThreeAsync();
        var edited = entries[1].Sequence;
        await using (var connection = await _connections.OpenAsync())
        {
            // What someone with write access to the database file could do: lift the guard and rewrite history.
            await connection.ExecuteAsync("DROP TRIGGER audit_log_no_update");
            await connection.ExecuteAsync("UPDATE audit_log SET subject = 'someone-else' WHERE sequence = @edited", new { edited });
        }

        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "audit", "verify", "--settings", SettingsFile);

        Assert.NotEqual(0, exit);
        Assert.Contains($"broken: entry {edited}:", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PrintsTheLastEntryAsAnAnchor_AndAcceptsItLater_WhenNothingWasRemoved()
    {
        var entries = await AppendThreeAsync();
        using var first = new StringWriter();
        await InvokeAsync(first, "audit", "verify", "--settings", SettingsFile);
        var anchor = $"3:{entries[2].Hash}";
        Assert.Contains($"last entry {anchor}", first.ToString(), StringComparison.Ordinal);

        await AppendThreeAsync();
        using var later = new StringWriter();
        var exit = await InvokeAsync(later, "audit", "verify", "--settings", SettingsFile, "--anchor", anchor);

        Assert.Equal(0, exit);
        Assert.Contains("intact: 6 entries verified", later.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExitsNonZero_NamingTheAnchor_WhenTheNewestEntriesWereRemoved()
    {
        var entries = await AppendThreeAsync();
        await using (var connection = await _connections.OpenAsync())
        {
            // Cutting the chain short leaves a chain that verifies on its own; only the recorded anchor shows it.
            await connection.ExecuteAsync("DROP TRIGGER audit_log_no_delete");
            await connection.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 3");
        }

        using var plain = new StringWriter();
        Assert.Equal(0, await InvokeAsync(plain, "audit", "verify", "--settings", SettingsFile));
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "audit", "verify", "--settings", SettingsFile, "--anchor", $"3:{entries[2].Hash}");

        Assert.Equal(1, exit);
        Assert.Contains("broken: entry 3: the anchored entry 3 is missing: the log ends at entry 2", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExitsNonZero_WhenTheAnchoredEntryHasAnotherHash()
    {
        await AppendThreeAsync();
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "audit", "verify", "--settings", SettingsFile, "--anchor", $"2:{new string('a', 64)}");

        Assert.Equal(1, exit);
        Assert.Contains("broken: entry 2: its hash differs from the anchor recorded for it", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("x:abc")]
    [InlineData("0:0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Verify_ExitsTwo_WhenTheAnchorIsNotSequenceColonHash(string anchor)
    {
        using var output = new StringWriter();

        var exit = await InvokeAsync(output, "audit", "verify", "--settings", SettingsFile, "--anchor", anchor);

        Assert.Equal(2, exit);
        Assert.Contains("is not SEQUENCE:HASH", output.ToString(), StringComparison.Ordinal);
    }

    private async Task<List<AuditRecord>> AppendThreeAsync()
    {
        await new MigrationRunner(_connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        using var log = new AuditLog(_connections, TimeProvider.System);
        var records = new List<AuditRecord>();
        foreach (var pseudonym in new[] { "P-1", "P-2", "P-3" })
        {
            records.Add(await log.AppendAsync(new AuditEntry("key-1", "org", "provider", "GetParticipant", null, "c-1", pseudonym, null, "allowed")));
        }

        return records;
    }

    private static Task<int> InvokeAsync(TextWriter output, params string[] args)
    {
        var root = new RootCommand { AuditCommand.Create() };
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
    }
}
