using System.Security.Claims;
using System.Text.Encodings.Web;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// Authenticates a request by its <c>X-Api-Key</c> header: the key's SHA-256 is looked up among unrevoked keys
/// and becomes the organisation, role and key-id claims of <see cref="ContractClaims"/>. An admin key of any
/// organisation but the platform's is refused (<see cref="PlatformOrganisation"/>).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IOptions<BootstrapOptions> bootstrap)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return AuthenticateResult.Fail($"Send exactly one {HeaderName} header.");
        }

        if (Request.Headers.Authorization.Count > 0)
        {
            // Two credentials could belong to two organisations; picking one would be a guess.
            return AuthenticateResult.Fail($"Send either {HeaderName} or an Authorization header, not both.");
        }

        var key = await keys.FindActiveAsync(values[0]!, Context.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            // Never log the header: a mistyped key is often one character away from a real one.
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        var platform = bootstrap.Value.OrganisationId;
        if (!PlatformOrganisation.MayHold(key.OrganisationId, key.Role, platform))
        {
            // An admin key issued to another organisation before the rule existed: refused, not downgraded.
            return AuthenticateResult.Fail(PlatformOrganisation.AdminRefusal(key.OrganisationId, platform));
        }

        var identity = ContractClaims.CreateIdentity(SchemeName, key.OrganisationId, key.Role, key.Id);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Task.CompletedTask;
    }
}
