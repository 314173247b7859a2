namespace ConfigurableContracts.Core.Security;

/// <summary>An API key as listed: never its secret, which exists only in the answer that created it.</summary>
public sealed record ApiKey(
    string Id,
    string OrganisationId,
    string Role,
    string Label,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A key just created, with its secret, to show once.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);
