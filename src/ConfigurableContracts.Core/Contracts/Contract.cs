namespace ConfigurableContracts.Core.Contracts;

/// <summary>
/// A social outcome contract: its parameters document, the template version and bundle it is pinned to, the
/// providers that deliver under it, and where it is in its life (draft → active → closed).
/// </summary>
public sealed record Contract(
    string Id,
    string CommissionerId,
    string TemplateId,
    string TemplateVersion,
    string BundleHash,
    string Title,
    string Parameters,
    string Status,
    int RowVersion,
    IReadOnlyList<string> ProviderIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? ClosedAt);

/// <summary>The life of a contract. Only a draft is edited; only an active contract takes participants and measurements.</summary>
public static class ContractStatus
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Closed = "closed";

    public static IReadOnlyList<string> All { get; } = [Draft, Active, Closed];
}

/// <summary>What a commissioner's change to a contract came to.</summary>
public enum ContractChangeOutcome
{
    Done,

    /// <summary>No such contract in the caller's scope (it may exist for another organisation: we do not say).</summary>
    NotFound,

    /// <summary>The contract is not in the status the change needs (e.g. editing an active contract).</summary>
    WrongStatus,

    /// <summary>The caller's row version is not the current one: someone changed it since it was read.</summary>
    Stale,
}

/// <summary>The outcome of a change and the contract as it now stands (null when not found).</summary>
public sealed record ContractChange(ContractChangeOutcome Outcome, Contract? Contract);
