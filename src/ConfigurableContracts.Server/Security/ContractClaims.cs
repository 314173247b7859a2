using System.Security.Claims;
using ConfigurableContracts.Core.Security;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// The claims every authentication scheme (API keys, JWT bearer tokens) must produce, named in one place so
/// endpoints read a <see cref="Caller"/> the same way whoever signed the request in.
/// </summary>
public static class ContractClaims
{
    public const string OrganisationId = "cc:organisation";

    /// <summary>The standard role claim, so <c>RequireRole</c> and <c>IsInRole</c> work unchanged.</summary>
    public const string Role = ClaimTypes.Role;

    /// <summary>The key id (or user id) recorded as who wrote a row.</summary>
    public const string ActorId = "cc:actor";

    public static ClaimsIdentity CreateIdentity(string authenticationType, string organisationId, string role, string actorId) =>
        new(
            [new Claim(OrganisationId, organisationId), new Claim(Role, role), new Claim(ActorId, actorId), new Claim(ClaimTypes.Name, actorId)],
            authenticationType,
            ClaimTypes.Name,
            Role);

    /// <summary>
    /// The caller behind an authenticated principal. Endpoints only run behind an authorization policy, so a
    /// missing claim is a programming error, not a client error.
    /// </summary>
    public static Caller ToCaller(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new Caller(Required(user, OrganisationId), Required(user, Role), Required(user, ActorId));
    }

    private static string Required(ClaimsPrincipal user, string type) =>
        user.FindFirstValue(type) ?? throw new InvalidOperationException($"The authenticated principal has no '{type}' claim.");
}
