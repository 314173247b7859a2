using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Security;

/// <summary>
/// API keys: created with a fresh secret (returned once, stored as SHA-256 only), found by secret when a request
/// authenticates, listed and revoked by admins. A revoked key stays in the table so audit trails keep its id.
/// </summary>
public sealed class ApiKeyStore(DbConnectionFactory connections, TimeProvider time)
{
    private const string Columns =
        "id AS Id, organisation_id AS OrganisationId, role AS Role, label AS Label, created_at AS CreatedAt, revoked_at AS RevokedAt";

    /// <summary>
    /// Creates a key for an existing organisation; null when the organisation does not exist.
    /// </summary>
    public async Task<CreatedApiKey?> CreateAsync(string organisationId, string role, string label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organisationId);
        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"'{role}' is not a role; use one of {string.Join(", ", Roles.All)}.", nameof(role));
        }

        var secret = ApiKeySecret.Generate();
        var key = new ApiKey("key-" + Guid.CreateVersion7().ToString("N"), organisationId, role, label ?? "", time.GetUtcNow(), null);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_keys (id, organisation_id, role, key_hash, label, created_at)
            SELECT @Id, o.id, @Role, @Hash, @Label, @CreatedAt FROM organisations o WHERE o.id = @OrganisationId
            """,
            new { key.Id, key.OrganisationId, key.Role, Hash = ApiKeySecret.Hash(secret), key.Label, key.CreatedAt },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return inserted == 1 ? new CreatedApiKey(key, secret) : null;
    }

    /// <summary>The unrevoked key whose secret this is, or null. Runs on every request, by the unique hash index.</summary>
    public async Task<ApiKey?> FindActiveAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!ApiKeySecret.LooksValid(secret))
        {
            return null;
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL",
            new { hash = ApiKeySecret.Hash(secret) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToApiKey();
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(string organisationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE organisation_id = @organisationId ORDER BY created_at, id",
            new { organisationId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToApiKey()).ToList();
    }

    /// <summary>
    /// Revokes the key if it belongs to the organisation; true when the key exists there (revoking twice is fine,
    /// the first revocation time is kept).
    /// </summary>
    public async Task<bool> RevokeAsync(string organisationId, string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var matched = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @now)
            WHERE id = @keyId AND organisation_id = @organisationId
            """,
            new { keyId, organisationId, now = time.GetUtcNow() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return matched == 1;
    }

    /// <summary>Whether any key was ever created, revoked or not: bootstrap happens once, not after every revocation.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM api_keys", cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    private sealed class ApiKeyRow
    {
        public string Id { get; set; } = "";

        public string OrganisationId { get; set; } = "";

        public string Role { get; set; } = "";

        public string Label { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset? RevokedAt { get; set; }

        public ApiKey ToApiKey() => new(Id, OrganisationId, Role, Label, CreatedAt, RevokedAt);
    }
}
