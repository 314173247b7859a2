using ConfigurableContracts.Core.Security;

namespace ConfigurableContracts.Core.Organisations;

/// <summary>
/// The organisation that runs the installation: the one the server creates at first start with the first admin
/// key (<c>Security:Bootstrap:OrganisationId</c>, <c>platform</c> unless configured). The admin role belongs to it
/// alone, because an admin reads the audit log of every organisation: an admin key or token for a municipality or
/// a provider would let that organisation read who did what with every other organisation's children's data.
/// </summary>
public static class PlatformOrganisation
{
    public const string DefaultId = "platform";

    /// <summary>The setting naming the platform organisation, shared by the server and the CLI.</summary>
    public const string ConfigurationKey = "Security:Bootstrap:OrganisationId";

    /// <summary>Whether <paramref name="organisationId"/> may act in <paramref name="role"/>: every role but admin, which only the platform organisation may.</summary>
    public static bool MayHold(string organisationId, string role, string platformOrganisationId) =>
        role != Roles.Admin || string.Equals(organisationId, platformOrganisationId, StringComparison.Ordinal);

    /// <summary>Why <paramref name="organisationId"/> may not hold the admin role, for error answers.</summary>
    public static string AdminRefusal(string organisationId, string platformOrganisationId) =>
        $"The admin role is only for the platform organisation '{platformOrganisationId}', not '{organisationId}': an admin reads every organisation's audit entries.";
}
