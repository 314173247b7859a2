using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Stores;

public abstract class ParticipantStoreTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task Enrol_RecordsTheCallerAsProvider_UnderAnActiveContract()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");

        var participant = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-0001");
        var read = await world.Participants.GetAsync(world.ProviderA, contract.Id, participant.Id);

        Assert.Equal(("forening-a", "HV-0001", new DateOnly(2022, 1, 10), "key-a"), (read!.ProviderId, read.Pseudonym, read.EnrolmentDate, read.CreatedBy));
    }

    [StoreFact]
    public async Task Enrol_RefusesAPseudonymAlreadyInTheContract_EvenFromAnotherProvider()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        await world.EnrolAsync(world.ProviderA, contract.Id, "HV-0001");

        var again = await world.Participants.EnrolAsync(world.ProviderB, contract.Id, StoreWorld.Participant("HV-0001"));

        Assert.Equal(EnrolmentOutcome.DuplicatePseudonym, again.Outcome);
    }

    [StoreFact]
    public async Task Enrol_IsRefused_UnlessTheContractIsActiveAndNamesTheProvider()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var draft = await world.ContractAsync(ContractStatus.Draft, "forening-a");
        var closed = await world.ContractAsync(ContractStatus.Closed, "forening-a");
        var onlyA = await world.ContractAsync(ContractStatus.Active, "forening-a");

        Assert.Equal(EnrolmentOutcome.ContractNotActive, (await world.Participants.EnrolAsync(world.ProviderA, draft.Id, StoreWorld.Participant("HV-1"))).Outcome);
        Assert.Equal(EnrolmentOutcome.ContractNotActive, (await world.Participants.EnrolAsync(world.ProviderA, closed.Id, StoreWorld.Participant("HV-1"))).Outcome);
        Assert.Equal(EnrolmentOutcome.ContractNotFound, (await world.Participants.EnrolAsync(world.ProviderB, onlyA.Id, StoreWorld.Participant("HV-1"))).Outcome);
        Assert.Equal(EnrolmentOutcome.ContractNotFound, (await world.Participants.EnrolAsync(world.Commissioner, onlyA.Id, StoreWorld.Participant("HV-1"))).Outcome);
        await using var connection = await connections.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM participants"));
    }

    [StoreFact]
    public async Task AProvider_NeverSeesAnotherProvidersParticipants_EvenByGuessingIds()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        var ofA = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-A1");
        var ofB = await world.EnrolAsync(world.ProviderB, contract.Id, "HV-B1");

        Assert.Null(await world.Participants.GetAsync(world.ProviderB, contract.Id, ofA.Id));
        Assert.Equal([ofB.Id], (await world.Participants.ListAsync(world.ProviderB, contract.Id)).Select(p => p.Id));
        Assert.Equal(["HV-B1"], (await world.Participants.EnrolledAsync(world.ProviderB, contract.Id)).Keys);
        Assert.Equal(["HV-A1", "HV-B1"], (await world.Participants.ListAsync(world.Commissioner, contract.Id)).Select(p => p.Pseudonym));
        Assert.Equal(2, (await world.Participants.ListAsync(world.Auditor, contract.Id)).Count);
        Assert.Empty(await world.Participants.ListAsync(world.OtherCommissioner, contract.Id));
        Assert.Null(await world.Participants.GetAsync(world.Admin, contract.Id, ofA.Id));
    }

    [StoreFact]
    public async Task EnrolMany_WritesEveryGoodLine_WhenSomeLinesAreRefused()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");
        await world.EnrolAsync(world.ProviderA, contract.Id, "HV-2");

        var results = await world.Participants.EnrolManyAsync(
            world.ProviderA, contract.Id, [StoreWorld.Participant("HV-1"), StoreWorld.Participant("HV-2") with { Record = """{"pseudonym":"HV-2","enrolmentDate":"2022-01-10","schoolYear":5}""" }, StoreWorld.Participant("HV-3")]);

        Assert.Equal([EnrolmentOutcome.Enrolled, EnrolmentOutcome.DuplicatePseudonym, EnrolmentOutcome.Enrolled], results.Select(r => r.Outcome));
        Assert.Equal(["HV-1", "HV-2", "HV-3"], (await world.Participants.ListAsync(world.ProviderA, contract.Id)).Select(p => p.Pseudonym));
    }

    [StoreFact]
    public async Task EnrolMany_AnswersUnchanged_ForAParticipantReSentWithItsVeryRecord_OnlyToItsOwnProvider()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        var enrolled = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-1");

        var again = await world.Participants.EnrolManyAsync(world.ProviderA, contract.Id, [StoreWorld.Participant("HV-1")]);
        var byB = await world.Participants.EnrolManyAsync(world.ProviderB, contract.Id, [StoreWorld.Participant("HV-1")]);

        Assert.Equal((EnrolmentOutcome.Unchanged, enrolled.Id), (again[0].Outcome, again[0].UnchangedId));
        Assert.Equal((EnrolmentOutcome.DuplicatePseudonym, null), (byB[0].Outcome, byB[0].UnchangedId));
        Assert.Single(await world.Participants.ListAsync(world.Commissioner, contract.Id));
    }

    [StoreFact]
    public async Task CorrectRecord_ChangesOnlyTheCallersOwnParticipant_AtTheCurrentVersion()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        var ofA = await world.EnrolAsync(world.ProviderA, contract.Id, "HV-A");
        const string Exited = """{"pseudonym":"HV-A","enrolmentDate":"2022-01-10","exitReason":"completed"}""";

        var byB = await world.Participants.CorrectRecordAsync(world.ProviderB, contract.Id, ofA.Id, 1, "{}");
        var byA = await world.Participants.CorrectRecordAsync(world.ProviderA, contract.Id, ofA.Id, 1, Exited);
        var stale = await world.Participants.CorrectRecordAsync(world.ProviderA, contract.Id, ofA.Id, 1, "{}");

        Assert.Equal(RecordChangeOutcome.NotFound, byB.Outcome);
        Assert.Equal((RecordChangeOutcome.Done, 2, Exited), (byA.Outcome, byA.Participant!.RowVersion, byA.Participant.Record));
        Assert.Equal(RecordChangeOutcome.Stale, stale.Outcome);
        Assert.Equal(Exited, (await world.Participants.GetAsync(world.Commissioner, contract.Id, ofA.Id))!.Record);
    }
}

public sealed class SqliteParticipantStoreTests : ParticipantStoreTests<Sqlite>;

public sealed class PostgreSqlParticipantStoreTests : ParticipantStoreTests<PostgreSql>;

public sealed class SqlServerParticipantStoreTests : ParticipantStoreTests<SqlServer>;
