namespace ConfigurableContracts.Core.Security;

/// <summary>
/// The roles an API key (and later a signed-in user) acts in. The names are stored in <c>api_keys.role</c> and
/// carried in claims, so they are lower-case words that never change.
/// </summary>
public static class Roles
{
    /// <summary>Runs the platform: organisations and keys; sees no contract or participant data.</summary>
    public const string Admin = "admin";

    /// <summary>Writes templates and rules.</summary>
    public const string Designer = "designer";

    /// <summary>Creates and runs its own organisation's contracts; reads their participants and measurements.</summary>
    public const string Commissioner = "commissioner";

    /// <summary>Delivers under contracts that name it; enrols and measures only its own participants.</summary>
    public const string Provider = "provider";

    /// <summary>Reads, never writes, what its own organisation commissions.</summary>
    public const string Auditor = "auditor";

    public static IReadOnlyList<string> All { get; } = [Admin, Designer, Commissioner, Provider, Auditor];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}
