using ConfigurableContracts.Core.Contracts;

namespace ConfigurableContracts.Testing;

/// <summary>
/// A contract to seed: who commissions and provides it, its parameters and where it is in its life. An active
/// contract was activated, and a closed one also closed, at <see cref="At"/>, as production's status moves record.
/// </summary>
public sealed record SeededContract(string Id, string CommissionerId, IReadOnlyList<string> ProviderIds)
{
    public string Title { get; init; } = "T";

    public string Parameters { get; init; } = "{}";

    public string Status { get; init; } = ContractStatus.Active;

    public DateTimeOffset At { get; init; } = ContractSeeder.SeededAt;

    /// <summary>The contract's own nightly cron, or null for the configured one.</summary>
    public string? ScheduleCron { get; init; }
}
