using System.Text.Json;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Core.Tests.Decisions;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Privacy;

public abstract class RetentionSweepTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private const string First = EvaluationFixture.ContractId;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>2027-06-30 23:59:59 in Stockholm: the last second contract 1's data is kept.</summary>
    private static readonly DateTimeOffset DayBefore = new(2027, 6, 30, 21, 59, 59, TimeSpan.Zero);

    /// <summary>2027-07-01 00:00 in Stockholm, five years after contract 1 closed.</summary>
    private static readonly DateTimeOffset Anniversary = new(2027, 6, 30, 22, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task Run_RemovesNothing_OnTheDayBeforeTheFifthAnniversaryOfTheCloseDate()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        var before = await world.DumpAsync();
        world.Fixture.Time.SetUtcNow(DayBefore);

        var plan = await world.Sweep().PlanAsync();
        var run = await world.Sweep().RunAsync();

        Assert.Empty(plan);
        Assert.Empty(run.Removed);
        Assert.Equal(before, await world.DumpAsync());
    }

    [StoreFact]
    public async Task Run_RemovesExactlyTheDueContractsParticipantData_OnTheAnniversary()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        var secondBefore = await SecondContractRowsAsync(world);
        world.Fixture.Time.SetUtcNow(Anniversary);

        var plan = await world.Sweep().PlanAsync();
        var run = await world.Sweep().RunAsync();

        var removed = Assert.Single(run.Removed);
        Assert.Equal(new RetentionCandidate(First, "commissioner", new DateOnly(2022, 7, 1), new DateOnly(2027, 7, 1), 3, 6, removed.Decisions), removed);
        Assert.Equal([removed], plan);
        Assert.Equal(0, await world.CountAsync("participants", First));
        Assert.Equal(0, await world.CountAsync("measurements", First));
        await using var connection = await connections.OpenAsync();
        var decisions = (await connection.QueryAsync<(string? ParticipantId, string ResultTree, string Snapshot)>(
            "SELECT d.participant_id, d.result_tree, i.snapshot FROM decisions d JOIN evaluation_inputs i ON i.input_hash = d.input_hash WHERE d.contract_id = @First",
            new { First })).AsList();
        Assert.Equal(removed.Decisions, decisions.Count);
        Assert.All(decisions, d =>
        {
            Assert.Null(d.ParticipantId);
            Assert.Equal(new DateOnly(2027, 7, 1), RetentionMarker.RemovedOn(d.ResultTree));
            Assert.Equal(new DateOnly(2027, 7, 1), RetentionMarker.RemovedOn(d.Snapshot));
        });
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM ledger_entries WHERE contract_id = @First AND participant_id IS NOT NULL", new { First }));
        Assert.Equal(secondBefore, await SecondContractRowsAsync(world));
    }

    [StoreFact]
    public async Task Run_KeepsLedgerAndOutcomeReportsIdentical_ForCommissionerAndProviders()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        world.Fixture.Time.SetUtcNow(Anniversary);
        var asOf = new DateOnly(2027, 7, 1);
        var callers = new[]
        {
            world.Commissioner,
            new Caller("commissioner", Roles.Auditor, "key-auditor"),
            new Caller(EvaluationFixture.ProviderA, Roles.Provider, "key-a"),
            new Caller(EvaluationFixture.ProviderB, Roles.Provider, "key-b"),
        };
        var reportsBefore = await ReportsAsync(world, callers, asOf);
        var ledgerBefore = await LedgerAsync(world);

        await world.Sweep().RunAsync();

        Assert.Equal(reportsBefore, await ReportsAsync(world, callers, asOf));
        Assert.Equal(ledgerBefore, await LedgerAsync(world));
        Assert.Contains("\"achieved\":1", reportsBefore[0], StringComparison.Ordinal);
        Assert.NotEqual(0m, ledgerBefore.Sum(l => l.Amount));
    }

    [StoreFact]
    public async Task Run_AuditsEachRemovedParticipantOnce_AndTheChainStillVerifies()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        world.Fixture.Time.SetUtcNow(Anniversary);

        var run = await world.Sweep().RunAsync();

        var entries = (await world.Audit.QueryAsync(new Core.Audit.AuditQuery(Limit: 1000))).Where(e => e.Action == PrivacyAudit.RemovedAction).ToList();
        Assert.Equal(4, run.AuditEntries);
        Assert.Equal(["", "HV-1", "HV-2", "HV-3"], entries.Select(e => e.ParticipantPseudonym ?? "").ToArray());
        Assert.All(entries, e =>
        {
            Assert.Equal(First, e.ContractId);
            Assert.Equal(PrivacyAudit.RetentionSubject, e.Subject);
            Assert.Equal("removed", e.Outcome);
        });
        Assert.Contains("3 measurement version(s)", entries[1].Detail, StringComparison.Ordinal);
        Assert.True((await world.Audit.VerifyAsync()).IsIntact);
    }

    [StoreFact]
    public async Task Run_ChangesNothing_WhenRunAgain()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        world.Fixture.Time.SetUtcNow(Anniversary);
        await world.Sweep().RunAsync();
        var after = await world.DumpAsync();
        world.Fixture.Time.Advance(TimeSpan.FromDays(1));

        var again = await world.Sweep().RunAsync();

        Assert.Empty(again.Removed);
        Assert.Equal(0, again.AuditEntries);
        Assert.Equal(after, await world.DumpAsync());
    }

    [StoreFact]
    public async Task Run_WritesTheAuditEntriesAnInterruptedRunLeftQueued()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        await using (var connection = await connections.OpenAsync())
        {
            // What a crash between the removal's commit and its audit entries leaves behind.
            await connection.ExecuteAsync(
                "INSERT INTO retention_audit_queue (contract_id, pseudonym, detail, removed_at) VALUES (@First, 'HV-9', 'removed: participant record', @now)",
                new { First, now = world.Fixture.Time.GetUtcNow() });
        }

        var run = await world.Sweep().RunAsync();

        var entry = Assert.Single(await world.Audit.QueryAsync(new Core.Audit.AuditQuery(ParticipantPseudonym: "HV-9")));
        Assert.Equal(PrivacyAudit.RemovedAction, entry.Action);
        Assert.Equal(1, run.AuditEntries);
        Assert.Equal(0, await world.CountAsync("retention_audit_queue", First));
    }

    [StoreFact]
    public async Task Run_RemovesTheSecondContract_OnItsOwnAnniversary_WithAShorterPeriod()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        world.Fixture.Time.SetUtcNow(new DateTimeOffset(2026, 2, 28, 22, 59, 59, TimeSpan.Zero)); // 23:59:59 on 28 Feb, CET

        var early = await world.Sweep(years: 2).RunAsync();
        world.Fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var due = await world.Sweep(years: 2).RunAsync();

        Assert.Equal([First], early.Removed.Select(r => r.ContractId).ToArray());
        Assert.Equal([RetentionWorld.SecondContract], due.Removed.Select(r => r.ContractId).ToArray());
        Assert.Equal(0, await world.CountAsync("participants", RetentionWorld.SecondContract));
    }

    [StoreFact]
    public async Task Replay_SaysTheDataWasRemoved_AndEvaluationRefusesTheContract()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var world = await RetentionWorld.CreateAsync(database, connections);
        await using var connection = await connections.OpenAsync();
        var decisionId = await connection.ExecuteScalarAsync<string>("SELECT id FROM decisions WHERE contract_id = @First ORDER BY sequence", new { First });
        world.Fixture.Time.SetUtcNow(Anniversary);
        await world.Sweep().RunAsync();

        var removed = await Assert.ThrowsAsync<DecisionDataRemovedException>(() => new DecisionReplay(connections, world.Fixture.Bundles).ReplayAsync(decisionId!));
        var refused = await Assert.ThrowsAsync<ContractNotEvaluableException>(() => world.Fixture.EvaluateAsync(new DateOnly(2027, 7, 1), "run-late"));

        Assert.Equal(new DateOnly(2027, 7, 1), removed.RemovedOn);
        Assert.Contains("retention", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<string[]> ReportsAsync(RetentionWorld world, Caller[] callers, DateOnly asOf)
    {
        var reports = new List<string>();
        foreach (var caller in callers)
        {
            reports.Add(JsonSerializer.Serialize(await world.Reports.ReportAsync(caller, First, asOf), Web));
        }

        return reports.ToArray();
    }

    private static async Task<List<(string Id, string ProviderId, string DecisionId, string Kind, string EntryType, string Period, decimal Amount)>> LedgerAsync(RetentionWorld world)
    {
        await using var connection = await world.Connections.OpenAsync();
        return (await connection.QueryAsync<(string, string, string, string, string, string, decimal)>(
            "SELECT id, provider_id, decision_id, kind, entry_type, period, amount FROM ledger_entries WHERE contract_id = @First ORDER BY sequence", new { First })).AsList();
    }

    private static async Task<string> SecondContractRowsAsync(RetentionWorld world)
    {
        await using var connection = await world.Connections.OpenAsync();
        var contract = new { Id = RetentionWorld.SecondContract };
        var participants = await connection.QueryAsync<(string, string)>("SELECT pseudonym, record FROM participants WHERE contract_id = @Id ORDER BY id", contract);
        var measurements = await connection.QueryAsync<string>("SELECT document FROM measurements WHERE contract_id = @Id ORDER BY id", contract);
        var decisions = await connection.QueryAsync<(string, string?, string, string)>(
            "SELECT d.id, d.participant_id, d.result_tree, i.snapshot FROM decisions d JOIN evaluation_inputs i ON i.input_hash = d.input_hash WHERE d.contract_id = @Id ORDER BY d.id",
            contract);
        return string.Join('\n', participants.Select(p => p.ToString()).Concat(measurements).Concat(decisions.Select(d => d.ToString())));
    }
}

public sealed class SqliteRetentionSweepTests : RetentionSweepTests<Sqlite>;

public sealed class PostgreSqlRetentionSweepTests : RetentionSweepTests<PostgreSql>;

public sealed class SqlServerRetentionSweepTests : RetentionSweepTests<SqlServer>;
