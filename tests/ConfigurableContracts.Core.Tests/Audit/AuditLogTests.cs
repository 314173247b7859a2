using System.Data.Common;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Tests.Data;
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
