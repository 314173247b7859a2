using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Stores;

public abstract class ContractStoreTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task Create_PinsTemplate_AndStoresTheBundleOnce_WhenContractsShareIt()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();

        var contracts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => world.ContractAsync(ContractStatus.Draft, "forening-a")));
        await using var connection = await connections.OpenAsync();
        var bundles = await connection.QueryAsync<string>("SELECT files FROM template_bundles");

        Assert.All(contracts, c => Assert.Equal((StoreWorld.Template().BundleHash, "1.0.0", "draft", 1), (c.BundleHash, c.TemplateVersion, c.Status, c.RowVersion)));
        var files = Assert.Single(bundles);
        Assert.Contains("rules/store-test/a.json", files, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Get_FindsNothing_ForAnotherCommissionerOrAProviderNotNamed()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Active, "forening-a");

        Assert.NotNull(await world.Contracts.GetAsync(world.Commissioner, contract.Id));
        Assert.NotNull(await world.Contracts.GetAsync(world.Auditor, contract.Id));
        Assert.Equal(["forening-a"], (await world.Contracts.GetAsync(world.ProviderA, contract.Id))!.ProviderIds);
        Assert.Null(await world.Contracts.GetAsync(world.OtherCommissioner, contract.Id));
        Assert.Null(await world.Contracts.GetAsync(world.ProviderB, contract.Id));
        Assert.Null(await world.Contracts.GetAsync(world.Admin, contract.Id));
    }

    [StoreFact]
    public async Task List_ShowsAProviderOnlyTheContractsNamingIt()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var both = await world.ContractAsync(ContractStatus.Active, "forening-a", "forening-b");
        var onlyA = await world.ContractAsync(ContractStatus.Draft, "forening-a");

        var seenByB = await world.Contracts.ListAsync(world.ProviderB);
        var seenByA = await world.Contracts.ListAsync(world.ProviderA);
        var activeForCommissioner = await world.Contracts.ListAsync(world.Commissioner, ContractStatus.Active);

        Assert.Equal([both.Id], seenByB.Select(c => c.Id));
        Assert.Equal(new[] { both.Id, onlyA.Id }.Order(StringComparer.Ordinal), seenByA.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal([both.Id], activeForCommissioner.Select(c => c.Id));
        Assert.Empty(await world.Contracts.ListAsync(world.OtherCommissioner));
    }

    [StoreFact]
    public async Task UpdateDraft_IsStale_WhenTheRowVersionIsNoLongerCurrent()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Draft, "forening-a");

        var first = await world.Contracts.UpdateDraftAsync(world.Commissioner, contract.Id, 1, "Ny titel", "{}", ["forening-b"]);
        var second = await world.Contracts.UpdateDraftAsync(world.Commissioner, contract.Id, 1, "Krock", "{}", ["forening-a"]);

        Assert.Equal(ContractChangeOutcome.Done, first.Outcome);
        Assert.Equal(("Ny titel", 2), (first.Contract!.Title, first.Contract.RowVersion));
        Assert.Equal(["forening-b"], first.Contract.ProviderIds);
        Assert.Equal(ContractChangeOutcome.Stale, second.Outcome);
        Assert.Equal("Ny titel", (await world.Contracts.GetAsync(world.Commissioner, contract.Id))!.Title);
    }

    [StoreFact]
    public async Task UpdateDraft_ChangesNothing_ForAnotherCommissionerOrOnceActive()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var draft = await world.ContractAsync(ContractStatus.Draft, "forening-a");
        var active = await world.ContractAsync(ContractStatus.Active, "forening-a");

        var foreign = await world.Contracts.UpdateDraftAsync(world.OtherCommissioner, draft.Id, 1, "X", "{}", []);
        var late = await world.Contracts.UpdateDraftAsync(world.Commissioner, active.Id, active.RowVersion, "X", "{}", []);

        Assert.Equal(ContractChangeOutcome.NotFound, foreign.Outcome);
        Assert.Equal(ContractChangeOutcome.WrongStatus, late.Outcome);
        Assert.Equal("Avtal", (await world.Contracts.GetAsync(world.Commissioner, draft.Id))!.Title);
    }

    [StoreFact]
    public async Task Lifecycle_GoesDraftActiveClosed_AndNeverBack()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Draft, "forening-a");

        var closeDraft = await world.Contracts.CloseAsync(world.Commissioner, contract.Id, null);
        world.Time.Advance(TimeSpan.FromHours(1));
        var activate = await world.Contracts.ActivateAsync(world.Commissioner, contract.Id, 1);
        var activateAgain = await world.Contracts.ActivateAsync(world.Commissioner, contract.Id, null);
        var close = await world.Contracts.CloseAsync(world.Commissioner, contract.Id, 2);

        Assert.Equal(ContractChangeOutcome.WrongStatus, closeDraft.Outcome);
        Assert.Equal((ContractStatus.Active, StoreWorld.Start.AddHours(1)), (activate.Contract!.Status, activate.Contract.ActivatedAt));
        Assert.Equal(ContractChangeOutcome.WrongStatus, activateAgain.Outcome);
        Assert.Equal((ContractStatus.Closed, 3), (close.Contract!.Status, close.Contract.RowVersion));
    }

    [StoreFact]
    public async Task Activate_IsStale_WhenTheExpectedRowVersionIsOld()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var contract = await world.ContractAsync(ContractStatus.Draft, "forening-a");
        await world.Contracts.UpdateDraftAsync(world.Commissioner, contract.Id, 1, "B", "{}", ["forening-a"]);

        var change = await world.Contracts.ActivateAsync(world.Commissioner, contract.Id, 1);

        Assert.Equal(ContractChangeOutcome.Stale, change.Outcome);
        Assert.Equal(ContractStatus.Draft, change.Contract!.Status);
    }
}

public sealed class SqliteContractStoreTests : ContractStoreTests<Sqlite>;

public sealed class PostgreSqlContractStoreTests : ContractStoreTests<PostgreSql>;

public sealed class SqlServerContractStoreTests : ContractStoreTests<SqlServer>;
