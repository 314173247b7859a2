using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Stores;

/// <summary>
/// Retryable bulk uploads on every database: an upload is found again by its key or body hash, its chunks commit
/// with their progress, answer and audit entry or not at all, a chunk committed by another writer is refused, and an
/// expired upload is forgotten.
/// </summary>
public abstract class BulkUploadStoreTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    private const string Sha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string OtherSha = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [StoreFact]
    public async Task AChunk_CommitsWithItsProgressAnswerAndAuditEntry_AndTheUploadIsThenReplayed()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var (world, uploads, audit, contract, participantId) = await WorldAsync(connections);

        var begin = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-1", Sha, lineCount: 3);
        var written = await world.Measurements.RecordManyAsync(
            world.ProviderA, contract.Id, [StoreWorld.Measurement(participantId, 1), StoreWorld.Measurement(participantId, 2)],
            uploads.Progress<Recording>(begin.Upload, (start, results) => Chunk(1, 3, results.Count, "[\"answer\"]", contract.Id)));
        var again = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-1", Sha, lineCount: 3);
        var entries = await audit.QueryAsync(new AuditQuery());

        Assert.Equal(UploadStart.New, begin.Start);
        Assert.All(written, r => Assert.Equal(RecordingOutcome.Recorded, r.Outcome));
        Assert.Equal((UploadStart.Complete, begin.Upload.Id, 3, 2), (again.Start, again.Upload.Id, again.Upload.CommittedThroughLine, again.Upload.Accepted));
        Assert.Equal(["[\"answer\"]"], again.CommittedLines);
        Assert.Equal(StoreWorld.Start + BulkUploadStore.Lifetime, again.Upload.ExpiresAt);
        var entry = Assert.Single(entries);
        Assert.Equal(("committed", "lines=1-3"), (entry.Outcome, entry.Detail));
        Assert.Equal(["HV-1"], entry.Pseudonyms);
        Assert.True((await audit.VerifyAsync()).IsIntact);
    }

    [StoreFact]
    public async Task AChunkAnotherWriterCommittedFirst_IsRefused_AndLeavesNoRowNorEntry()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var (world, uploads, audit, contract, participantId) = await WorldAsync(connections);
        var begin = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-2", Sha, lineCount: 2);
        var progress = uploads.Progress<Recording>(begin.Upload, (start, results) => Chunk(1, 1, results.Count, "[]", contract.Id));
        await world.Measurements.RecordManyAsync(world.ProviderA, contract.Id, [StoreWorld.Measurement(participantId, 1)], progress);

        // A second request that began before the first chunk committed writes the same first chunk again.
        await Assert.ThrowsAsync<UploadTakenOverException>(() =>
            world.Measurements.RecordManyAsync(world.ProviderA, contract.Id, [StoreWorld.Measurement(participantId, 5)], progress));

        Assert.Single(await world.Measurements.HistoryAsync(world.ProviderA, contract.Id, participantId));
        Assert.Single(await audit.QueryAsync(new AuditQuery()));
        Assert.Equal(1, (await uploads.FindAsync(world.ProviderA, contract.Id, "key-2"))!.CommittedThroughLine);
    }

    [StoreFact]
    public async Task AKey_IsScopedToTheOrganisationAndContract_AndRefusedForAnotherBody()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var (world, uploads, _, contract, _) = await WorldAsync(connections);
        var other = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");

        var first = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-3", Sha, 1);
        var otherBody = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-3", OtherSha, 1);
        var otherKind = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Participants, "key-3", Sha, 1);
        var otherOrganisation = await uploads.BeginAsync(world.ProviderB, contract.Id, UploadKinds.Measurements, "key-3", OtherSha, 1);
        var otherContract = await uploads.BeginAsync(world.ProviderA, other.Id, UploadKinds.Measurements, "key-3", OtherSha, 1);
        var sameBodyNoKey = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, null, Sha, 1);

        Assert.Equal((UploadStart.KeyReused, first.Upload.Id), (otherBody.Start, otherBody.Upload.Id));
        Assert.Equal(UploadStart.KeyReused, otherKind.Start);
        Assert.Equal((UploadStart.New, UploadStart.New), (otherOrganisation.Start, otherContract.Start));
        Assert.Equal((UploadStart.Resume, first.Upload.Id), (sameBodyNoKey.Start, sameBodyNoKey.Upload.Id));
        Assert.Null(await uploads.FindAsync(world.ProviderB, contract.Id, $"sha256:{Sha}"));
    }

    [StoreFact]
    public async Task AnExpiredUpload_IsForgotten_AndItsKeyStartsANewOne()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var (world, uploads, _, contract, _) = await WorldAsync(connections);

        var first = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-4", Sha, 1);
        world.Time.Advance(BulkUploadStore.Lifetime);
        var gone = await uploads.FindAsync(world.ProviderA, contract.Id, "key-4");
        var again = await uploads.BeginAsync(world.ProviderA, contract.Id, UploadKinds.Measurements, "key-4", OtherSha, 1);

        Assert.Null(gone);
        Assert.Equal(UploadStart.New, again.Start);
        Assert.NotEqual(first.Upload.Id, again.Upload.Id);
        await using var connection = await connections.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM bulk_uploads"));
    }

    private static UploadChunk Chunk(int first, int last, int accepted, string lines, string contractId) =>
        new(first, last, accepted, 0, 0, lines, new AuditEntry("key-a", "forening-a", "provider", "RecordMeasurementsInBulk", null, contractId, null, null, "committed", $"lines={first}-{last}", Pseudonyms: ["HV-1"]));

    private static async Task<(StoreWorld World, BulkUploadStore Uploads, AuditLog Audit, Contract Contract, string ParticipantId)> WorldAsync(ConfigurableContracts.Core.Data.DbConnectionFactory connections)
    {
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");
        var audit = new AuditLog(connections, world.Time);
        return (world, new BulkUploadStore(connections, audit, world.Time), audit, contract, participant.Id);
    }
}

public sealed class SqliteBulkUploadStoreTests : BulkUploadStoreTests<Sqlite>;

public sealed class PostgreSqlBulkUploadStoreTests : BulkUploadStoreTests<PostgreSql>;

public sealed class SqlServerBulkUploadStoreTests : BulkUploadStoreTests<SqlServer>;
