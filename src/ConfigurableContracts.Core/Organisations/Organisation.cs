namespace ConfigurableContracts.Core.Organisations;

/// <summary>A commissioner, a provider or the platform itself: whoever holds API keys.</summary>
public sealed record Organisation(string Id, string Name, DateTimeOffset CreatedAt);
