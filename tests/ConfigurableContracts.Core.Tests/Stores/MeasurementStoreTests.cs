using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Tests.Data;

namespace ConfigurableContracts.Core.Tests.Stores;

public abstract class MeasurementStoreTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task Record_KeepsEveryVersion_AndLatestReturnsTheNewest()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");
        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");

        var first = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 10));
        world.Time.Advance(TimeSpan.FromDays(1));
        var correction = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 12));
        var latest = await world.Measurements.LatestAsync(world.Commissioner, contract.Id, participant.Id);
        var history = await world.Measurements.HistoryAsync(world.ProviderA, contract.Id, participant.Id);

        Assert.Equal((1, 2), (first.Version, correction.Version));
        var current = Assert.Single(latest);
        Assert.Equal((2, StoreWorld.Start.AddDays(1), "key-a"), (current.Version, current.RecordedAt, current.RecordedBy));
        Assert.Contains("\"score\":12", current.Document, StringComparison.Ordinal);
        Assert.Equal([1, 2], history.Select(m => m.Version));
        Assert.Contains("\"score\":10", history[0].Document, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task AProvider_CannotRecordOrReadAnotherProvidersParticipant()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        var ofA = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-A");
        await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(ofA.Id, 5));

        var written = await world.Measurements.RecordAsync(world.ProviderB, contract.Id, StoreWorld.Measurement(ofA.Id, 40));

        Assert.Equal(RecordingOutcome.ParticipantNotFound, written.Outcome);
        Assert.Empty(await world.Measurements.HistoryAsync(world.ProviderB, contract.Id, ofA.Id));
        Assert.Empty(await world.Measurements.LatestAsync(world.OtherCommissioner, contract.Id, ofA.Id));
        Assert.Single(await world.Measurements.HistoryAsync(world.Auditor, contract.Id, ofA.Id));
    }

    [StoreFact]
    public async Task Record_IsRefused_OnceTheContractIsClosed()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");
        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");
        await world.Contracts.CloseAsync(world.Commissioner, contract.Id, null);

        var recording = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 1));

        Assert.Equal(RecordingOutcome.ContractNotActive, recording.Outcome);
    }

    [StoreFact]
    public async Task RecordMany_NumbersVersionsInOrder_WithinOneUpload()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");
        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");

        var recordings = await world.Measurements.RecordManyAsync(
            world.ProviderA, contract.Id, [.. Enumerable.Range(1, 5).Select(i => StoreWorld.Measurement(participant.Id, i)), StoreWorld.Measurement("no-such-id", 0)]);

        Assert.Equal([.. Enumerable.Repeat(RecordingOutcome.Recorded, 5), RecordingOutcome.ParticipantNotFound], recordings.Select(r => r.Outcome));
        var history = await world.Measurements.HistoryAsync(world.ProviderA, contract.Id, participant.Id);
        Assert.Equal([1, 2, 3, 4, 5], history.Select(m => m.Version));
        Assert.Equal(recordings.Take(5).Select(r => r.Id), history.Select(m => m.Id));
    }

    [StoreFact]
    public async Task ReSendingTheCurrentDocument_IsUnchanged_NotACorrection_WhileAnEarlierOneIs()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");
        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");

        var first = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 10));
        var again = await world.Measurements.RecordManyAsync(world.ProviderA, contract.Id, [StoreWorld.Measurement(participant.Id, 10)]);
        var single = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 10));
        var correction = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 11));
        var back = await world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, 10));

        Assert.Equal((RecordingOutcome.Unchanged, first.Id), (again[0].Outcome, again[0].Id));
        Assert.Equal((RecordingOutcome.Unchanged, first.Id, 1), (single.Outcome, single.Id, single.Version));
        Assert.Equal((RecordingOutcome.Recorded, 2), (correction.Outcome, correction.Version));
        Assert.Equal((RecordingOutcome.Recorded, 3), (back.Outcome, back.Version));
        Assert.Equal([1, 2, 3], (await world.Measurements.HistoryAsync(world.ProviderA, contract.Id, participant.Id)).Select(m => m.Version));
    }

    [StoreFact]
    public async Task ConcurrentCorrections_NeverShareAVersion()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");
        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");

        var recordings = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => world.Measurements.RecordAsync(world.ProviderA, contract.Id, StoreWorld.Measurement(participant.Id, i))));
        var history = await world.Measurements.HistoryAsync(world.ProviderA, contract.Id, participant.Id);

        // Racing writers may lose (and are told to send again), but the versions kept are 1..n without gaps or twins.
        Assert.All(recordings, r => Assert.Contains(r.Outcome, new[] { RecordingOutcome.Recorded, RecordingOutcome.ConcurrentCorrection }));
        Assert.Equal(Enumerable.Range(1, history.Count), history.Select(m => m.Version));
        Assert.Equal(recordings.Count(r => r.Outcome == RecordingOutcome.Recorded), history.Count);
        Assert.Equal(history.Select(m => m.Id).Order(StringComparer.Ordinal), recordings.Where(r => r.Id is not null).Select(r => r.Id!).Order(StringComparer.Ordinal));
    }
}

public sealed class SqliteMeasurementStoreTests : MeasurementStoreTests<Sqlite>;

public sealed class PostgreSqlMeasurementStoreTests : MeasurementStoreTests<PostgreSql>;

public sealed class SqlServerMeasurementStoreTests : MeasurementStoreTests<SqlServer>;
