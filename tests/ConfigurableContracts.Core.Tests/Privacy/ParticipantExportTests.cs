using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Core.Tests.Decisions;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Privacy;

public abstract class ParticipantExportTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private const string First = EvaluationFixture.ContractId;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [StoreFact]
    public async Task Export_HoldsEveryVersionAndDecision_OfThePseudonym_AndNothingOfOthers()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        await using var connection = await connections.OpenAsync();
        var decisionCount = await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM decisions WHERE participant_id = 'p-HV-1'");
        var ledgerCount = await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM ledger_entries WHERE participant_id = 'p-HV-1'");

        var export = await world.Export.ExportAsync(world.Commissioner, First, "HV-1");

        Assert.NotNull(export);
        Assert.Equal("HV-1", export.Participant.Pseudonym);
        Assert.Equal([("baseline", 1), ("followUp", 1), ("followUp", 2)], export.Measurements.Select(m => (m.Point, m.Version)).ToArray());
        Assert.Equal(decisionCount, export.Decisions.Count);
        Assert.Contains(export.Decisions, d => d.Decision.SupersededBy is not null);
        Assert.All(export.Decisions, d => Assert.Contains("\"pseudonym\":\"HV-1\"", d.InputSnapshot, StringComparison.Ordinal));
        Assert.Equal(ledgerCount, export.Ledger.Count);
        Assert.NotEmpty(export.Ledger);
        Assert.NotEmpty(export.CohortMemberships);
        Assert.All(export.CohortMemberships, m => Assert.Contains("\"pseudonym\":\"HV-1\"", m.Member, StringComparison.Ordinal));
        Assert.Equal("participants.read", Assert.Single(export.Audit).Action);
        var text = JsonSerializer.Serialize(export, Web);
        foreach (var other in new[] { "HV-2", "HV-3", "K2-1" })
        {
            Assert.DoesNotContain(other, text, StringComparison.Ordinal);
        }
    }

    [StoreFact]
    public async Task Export_FindsNothing_ForAnotherOrganisationOrAProvider()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);

        Assert.NotNull(await world.Export.ExportAsync(new Caller("commissioner", Roles.Auditor, "key-auditor"), First, "HV-1"));
        Assert.Null(await world.Export.ExportAsync(new Caller("another-commissioner", Roles.Commissioner, "key-other"), First, "HV-1"));
        Assert.Null(await world.Export.ExportAsync(new Caller(EvaluationFixture.ProviderA, Roles.Provider, "key-a"), First, "HV-1"));
        Assert.Null(await world.Export.ExportAsync(world.Commissioner, First, "K2-1"));
    }

    [StoreFact]
    public async Task Export_FindsNothing_AfterRetentionRemovedThePseudonym()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        world.Fixture.Time.SetUtcNow(new DateTimeOffset(2027, 7, 1, 0, 0, 0, TimeSpan.Zero));
        await world.Sweep().RunAsync();

        Assert.Null(await world.Export.ExportAsync(world.Commissioner, First, "HV-1"));
        Assert.NotNull(await world.Export.ExportAsync(world.Commissioner, RetentionWorld.SecondContract, "K2-1"));
    }
}

public sealed class SqliteParticipantExportTests : ParticipantExportTests<Sqlite>;

public sealed class PostgreSqlParticipantExportTests : ParticipantExportTests<PostgreSql>;

public sealed class SqlServerParticipantExportTests : ParticipantExportTests<SqlServer>;
