using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tests.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Stores;

/// <summary>Organisations and API keys.</summary>
public abstract class AccessStoreTests<TDatabase> : StoreTests<TDatabase>
    where TDatabase : IDatabaseKind, new()
{
    [StoreFact]
    public async Task CreateKey_StoresOnlyTheHash_AndFindsTheKeyBySecret()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();

        var created = await world.Keys.CreateAsync("forening-a", Roles.Provider, "intake");
        await using var connection = await connections.OpenAsync();
        var stored = await connection.QuerySingleAsync<string>("SELECT key_hash FROM api_keys WHERE id = @id", new { id = created!.Key.Id });
        var found = await world.Keys.FindActiveAsync(created.Secret);

        Assert.StartsWith(ApiKeySecret.Prefix, created.Secret, StringComparison.Ordinal);
        Assert.Equal(ApiKeySecret.Hash(created.Secret), stored);
        Assert.DoesNotContain(created.Secret[ApiKeySecret.Prefix.Length..], stored, StringComparison.Ordinal);
        Assert.Equal(("forening-a", Roles.Provider), (found!.OrganisationId, found.Role));
    }

    [StoreFact]
    public async Task FindActive_FindsNothing_OnceTheKeyIsRevoked()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var created = await world.Keys.CreateAsync("kommun", Roles.Commissioner, "");

        var revoked = await world.Keys.RevokeAsync("kommun", created!.Key.Id);

        Assert.True(revoked);
        Assert.Null(await world.Keys.FindActiveAsync(created.Secret));
        Assert.Equal(StoreWorld.Start, (await world.Keys.ListAsync("kommun")).Single().RevokedAt);
    }

    [StoreFact]
    public async Task Revoke_FindsNothing_WhenTheKeyBelongsToAnotherOrganisation()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();
        var created = await world.Keys.CreateAsync("kommun", Roles.Commissioner, "");

        Assert.False(await world.Keys.RevokeAsync("forening-a", created!.Key.Id));
        Assert.NotNull(await world.Keys.FindActiveAsync(created.Secret));
    }

    [StoreFact]
    public async Task CreateKey_ReturnsNull_WhenTheOrganisationDoesNotExist()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = new StoreWorld(connections);

        Assert.Null(await world.Keys.CreateAsync("nobody", Roles.Admin, ""));
        Assert.False(await world.Keys.AnyAsync());
    }

    [StoreFact]
    public async Task CreateOrganisation_ReturnsNull_WhenTheIdIsTaken()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();

        Assert.Null(await world.Organisations.CreateAsync("kommun", "Again"));
        Assert.Equal("KOMMUN", (await world.Organisations.GetAsync("kommun"))!.Name);
    }

    [StoreFact]
    public async Task Missing_NamesOnlyUnknownIds()
    {
        var (database, connections) = await CreateMigratedAsync();
        await using var _ = database;
        var world = await new StoreWorld(connections).WithOrganisationsAsync();

        var missing = await world.Organisations.MissingAsync(["forening-a", "forening-x", "kommun", "forening-y"]);

        Assert.Equal(["forening-x", "forening-y"], missing);
    }
}

public sealed class SqliteAccessStoreTests : AccessStoreTests<Sqlite>;

public sealed class PostgreSqlAccessStoreTests : AccessStoreTests<PostgreSql>;

public sealed class SqlServerAccessStoreTests : AccessStoreTests<SqlServer>;
