using System.Data.Common;
using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Organisations;

/// <summary>
/// Organisations. They are platform-level records (names and ids, no personal data); only admins create them,
/// which the endpoints enforce, and every contract-data store checks membership in its own SQL.
/// </summary>
public sealed class OrganisationStore(DbConnectionFactory connections, TimeProvider time)
{
    private const string Columns = "id AS Id, name AS Name, created_at AS CreatedAt";

    /// <summary>Creates the organisation; null when the id is taken.</summary>
    public async Task<Organisation?> CreateAsync(string id, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(name);
        var organisation = new Organisation(id, name, time.GetUtcNow());
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var inserted = await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO organisations (id, name, created_at)
                SELECT @Id, @Name, @CreatedAt
                WHERE NOT EXISTS (SELECT 1 FROM organisations WHERE id = @Id)
                """,
                organisation,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return inserted == 1 ? organisation : null;
        }
        catch (DbException exception) when (DbErrors.IsUniqueViolation(exception))
        {
            return null;
        }
    }

    public async Task<Organisation?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<OrganisationRow>(new CommandDefinition(
            $"SELECT {Columns} FROM organisations WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToOrganisation();
    }

    public async Task<IReadOnlyList<Organisation>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<OrganisationRow>(new CommandDefinition(
            $"SELECT {Columns} FROM organisations ORDER BY id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToOrganisation()).ToList();
    }

    /// <summary>Those of <paramref name="ids"/> that name no organisation, in the order given.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var found = (await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT id FROM organisations WHERE {connections.Dialect.InList("id", "@ids")}", new { ids = ids.Distinct().ToArray() }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        return ids.Where(id => !found.Contains(id)).Distinct().ToList();
    }

    private sealed class OrganisationRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public Organisation ToOrganisation() => new(Id, Name, CreatedAt);
    }
}
