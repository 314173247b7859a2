using System.Data.Common;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Core.Tests.Stores;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace ConfigurableContracts.Core.Tests.Audit;

public abstract class AuditLogTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private static readonly DateTimeOffset Start = new(2022, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static AuditEntry Read(string pseudonym) =>
        new("key:abc", "provider-1", "provider", "participants.read", "GET /api/participants/{id}", "c-1", pseudonym, "follow-up", "200");

    [StoreFact]
    public async Task Verify_ReportsIntactChain_AfterAppends()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var time = new FakeTimeProvider(Start);
        var log = new AuditLog(connections, time);

        var first = await log.AppendAsync(Read("HV-0001"));
        time.Advance(TimeSpan.FromSeconds(1.2345678));
        var second = await log.AppendAsync(Read("HV-0002"));

        var verification = await log.VerifyAsync();
        Assert.True(verification.IsIntact);
        Assert.Equal(2, verification.EntriesChecked);
        Assert.Equal(AuditLog.GenesisHash, first.PreviousHash);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.Equal(Start.AddTicks(12_345_670), second.OccurredAt);
    }

    [StoreFact]
    public async Task Verify_NamesFirstBrokenEntry_WhenARowWasEditedBehindTheLogsBack()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var log = new AuditLog(connections, new FakeTimeProvider(Start));
        for (var i = 1; i <= 5; i++)
        {
            await log.AppendAsync(Read($"HV-000{i}"));
        }

        await using (var connection = await connections.OpenAsync())
        {
            // An attacker with database access must first get past the append-only trigger.
            await DropAppendOnlyGuardAsync(connection);
            await connection.ExecuteAsync("UPDATE audit_log SET participant_pseudonym = 'HV-9999' WHERE sequence = 3");
        }

        var verification = await log.VerifyAsync();

        Assert.False(verification.IsIntact);
        Assert.Equal(3, verification.FirstBrokenSequence);
        Assert.Contains("does not match its hash", verification.Reason, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Verify_NamesGap_WhenAnEntryWasDeleted()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var log = new AuditLog(connections, new FakeTimeProvider(Start));
        for (var i = 1; i <= 4; i++)
        {
            await log.AppendAsync(Read($"HV-000{i}"));
        }

        await using (var connection = await connections.OpenAsync())
        {
            await DropAppendOnlyGuardAsync(connection);
            await connection.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 2");
        }

        var verification = await log.VerifyAsync();

        Assert.Equal(3, verification.FirstBrokenSequence);
        Assert.Equal("entry 2 is missing", verification.Reason);
    }

    [StoreFact]
    public async Task Database_RefusesUpdates_OfAuditEntries()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await new AuditLog(connections, new FakeTimeProvider(Start)).AppendAsync(Read("HV-0001"));
        await using var connection = await connections.OpenAsync();

        await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("UPDATE audit_log SET outcome = '403'"));
        await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("DELETE FROM audit_log"));
    }

    [StoreFact]
    public async Task Append_KeepsOneChain_WhenManyWritersAppendAtOnce()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var log = new AuditLog(connections, TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await log.AppendAsync(Read($"HV-{writer}{i:D3}"));
            }
        })));

        var verification = await log.VerifyAsync();
        Assert.True(verification.IsIntact, verification.Reason);
        Assert.Equal(80, verification.EntriesChecked);
    }

    [StoreFact]
    public async Task Query_FiltersByParticipantAndPeriod()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var time = new FakeTimeProvider(Start);
        var log = new AuditLog(connections, time);
        await log.AppendAsync(Read("HV-0001"));
        time.Advance(TimeSpan.FromDays(1));
        await log.AppendAsync(Read("HV-0002"));
        await log.AppendAsync(Read("HV-0001"));

        var found = await log.QueryAsync(new AuditQuery(ParticipantPseudonym: "HV-0001", From: Start.AddHours(1)));

        var only = Assert.Single(found);
        Assert.Equal(3, only.Sequence);
    }

    [StoreFact]
    public async Task Query_FindsABulkEntry_ByAnyParticipantItConcerns()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        using var log = new AuditLog(connections, new FakeTimeProvider(Start));
        var bulk = Read("HV-0001") with { ParticipantPseudonym = null, Pseudonyms = ["HV-0003", "HV-0002", "HV-0003"], Detail = "lines=3 accepted=3" };
        await log.AppendAsync(bulk);
        await log.AppendAsync(Read("HV-0004"));

        var found = await log.QueryAsync(new AuditQuery(ParticipantPseudonym: "HV-0002"));

        var only = Assert.Single(found);
        Assert.Equal(["HV-0002", "HV-0003"], only.Pseudonyms);
        Assert.True((await log.VerifyAsync()).IsIntact);
    }

    [StoreFact]
    public async Task Verify_NamesTheEntry_WhosePseudonymsWereChanged()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        using var log = new AuditLog(connections, new FakeTimeProvider(Start));
        await log.AppendAsync(Read("HV-0001"));
        await log.AppendAsync(Read("HV-0001") with { Pseudonyms = ["HV-0002", "HV-0003"] });
        await log.AppendAsync(Read("HV-0001"));

        await using (var connection = await connections.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO audit_log_participants (sequence, pseudonym) VALUES (2, 'HV-0009')");
        }

        var verification = await log.VerifyAsync();

        Assert.Equal(2, verification.FirstBrokenSequence);
        Assert.Contains("does not match its hash", verification.Reason, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Verify_AcceptsEntriesSealedBeforeMigration8_FollowedByNewOnes()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var old = await InsertVersionOneEntryAsync(connections, statusCode: null);

        using var log = new AuditLog(connections, new FakeTimeProvider(Start.AddMinutes(1)));
        var next = await log.AppendAsync(Read("HV-0002") with { StatusCode = 200, Authentication = "api-key" });

        var verification = await log.VerifyAsync();
        Assert.True(verification.IsIntact, verification.Reason);
        Assert.Equal((2, old.Hash, 2), (verification.EntriesChecked, next.PreviousHash, next.HashVersion));
    }

    [StoreFact]
    public async Task Verify_NamesAnOldEntry_GivenAFieldItsHashDoesNotCover()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        await InsertVersionOneEntryAsync(connections, statusCode: 200);

        using var log = new AuditLog(connections, new FakeTimeProvider(Start));
        var verification = await log.VerifyAsync();

        Assert.Equal(1, verification.FirstBrokenSequence);
        Assert.Contains("hash version 1", verification.Reason, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task ScopedQuery_ShowsAnAuditor_OnlyTheContractsItsOrganisationCommissions()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var own = await world.ContractAsync(ContractStatus.Active, "forening-a");
        using var log = new AuditLog(connections, new FakeTimeProvider(Start));
        await log.AppendAsync(Read("HV-0001") with { ContractId = own.Id });
        await log.AppendAsync(Read("HV-0002") with { ContractId = "someone-elses" });
        await log.AppendAsync(Read("HV-0003") with { ContractId = null, OrganisationId = world.Auditor.OrganisationId });
        await log.AppendAsync(Read("HV-0004") with { ContractId = null, OrganisationId = "forening-a" });

        var seenByAuditor = await log.QueryAsync(world.Auditor, new AuditQuery());
        var seenByOtherOrganisation = await log.QueryAsync(new Caller("annan-kommun", "auditor", "key-x"), new AuditQuery());
        var seenByAdmin = await log.QueryAsync(world.Admin, new AuditQuery());

        Assert.Equal(["HV-0001", "HV-0003"], seenByAuditor.Select(e => e.ParticipantPseudonym));
        Assert.Empty(seenByOtherOrganisation);
        Assert.Equal(4, seenByAdmin.Count);
    }

    /// <summary>
    /// Entry 1 as the log wrote it before migration 0008 (hash version 1, the columns 0008 added left null), or with a
    /// status code slipped in afterwards when <paramref name="statusCode"/> is given.
    /// </summary>
    private static async Task<AuditRecord> InsertVersionOneEntryAsync(DbConnectionFactory connections, int? statusCode)
    {
        var old = AuditLog.Seal(Read("HV-0001"), 1, Start, AuditLog.GenesisHash) with { HashVersion = 1 };
        old = old with { Hash = AuditLog.ComputeHash(old) };
        await using var connection = await connections.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO audit_log (sequence, occurred_at, subject, organisation_id, role, action, endpoint, contract_id, participant_pseudonym, purpose, outcome, detail, previous_hash, hash, status_code)
            VALUES (@Sequence, @OccurredAt, @Subject, @OrganisationId, @Role, @Action, @Endpoint, @ContractId, @ParticipantPseudonym, @Purpose, @Outcome, @Detail, @PreviousHash, @Hash, @StatusCode)
            """,
            old with { StatusCode = statusCode });
        return old;
    }

    private static Task<int> DropAppendOnlyGuardAsync(DbConnection connection) => Provider switch
    {
        DatabaseProvider.Sqlite => connection.ExecuteAsync("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"),
        DatabaseProvider.PostgreSql => connection.ExecuteAsync("DROP TRIGGER audit_log_no_change ON audit_log"),
        _ => connection.ExecuteAsync("DROP TRIGGER audit_log_no_change"),
    };
}

public sealed class SqliteAuditLogTests : AuditLogTests<Sqlite>;

public sealed class PostgreSqlAuditLogTests : AuditLogTests<PostgreSql>;

public sealed class SqlServerAuditLogTests : AuditLogTests<SqlServer>;
