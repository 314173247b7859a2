using System.Security.Claims;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Organisations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// Points the JWT bearer handler at the configured identity provider and turns a validated token into the same
/// <see cref="ContractClaims"/> an API key gives: subject, organisation, role. Lifetimes are checked against the
/// injected <see cref="TimeProvider"/>, so the rule "expired is refused" is tested without waiting.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<JwtOptions> jwt, IHostEnvironment environment, TimeProvider time)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

    public void Configure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != SchemeName || !jwt.Value.Enabled)
        {
            return;
        }

        var settings = jwt.Value;
        options.MapInboundClaims = false; // the configured claim names are the token's own names
        options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        options.Audience = settings.Audience;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = settings.Audience,
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(settings.Issuer) ? null : settings.Issuer,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = settings.ClockSkew,
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } until && now < until + parameters.ClockSkew && (notBefore is not { } from || from - parameters.ClockSkew <= now);
            },
        };

        if (!string.IsNullOrWhiteSpace(settings.JwksFile))
        {
            // Offline keys: no discovery, so the handler never reaches out to the network.
            options.TokenValidationParameters.IssuerSigningKeys = JwtOptionsValidator.ReadSigningKeys(
                JwtOptionsValidator.ResolveJwksPath(settings.JwksFile, environment.ContentRootPath));
        }
        else
        {
            options.Authority = settings.Authority;
            options.MetadataAddress = string.IsNullOrWhiteSpace(settings.MetadataAddress) ? null! : settings.MetadataAddress;
        }

        options.Events = new JwtBearerEvents { OnTokenValidated = context => ToContractPrincipalAsync(context, settings) };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    /// <summary>
    /// Replaces the token's claims with ours, or fails the sign-in: an unknown organisation, no role of ours, or
    /// two of them are refused rather than guessed, since a guess would decide which rows the caller sees; and
    /// admin for any organisation but the platform's is refused, since an admin reads every organisation's audit.
    /// </summary>
    private static async Task ToContractPrincipalAsync(TokenValidatedContext context, JwtOptions settings)
    {
        var token = context.Principal!;
        var subject = token.FindFirstValue(settings.SubjectClaim);
        var organisationId = token.FindFirstValue(settings.OrganisationClaim);
        var roles = settings.MapRoles(token.FindAll(settings.RoleClaim).Select(c => c.Value));
        string? failure = null;
        if (string.IsNullOrWhiteSpace(subject))
        {
            failure = $"The token has no '{settings.SubjectClaim}' claim.";
        }
        else if (PersonalIdentityNumbers.Contains(subject))
        {
            // The subject is stored as who acted (created_by, the audit log): point SubjectClaim at a pseudonymous claim.
            failure = $"The token's '{settings.SubjectClaim}' claim looks like a personal identity number, which is never stored; set Authentication:Jwt:SubjectClaim to a pseudonymous claim.";
        }
        else if (string.IsNullOrWhiteSpace(organisationId))
        {
            failure = $"The token has no '{settings.OrganisationClaim}' claim.";
        }
        else if (roles.Count != 1)
        {
            failure = roles.Count == 0
                ? $"The token's '{settings.RoleClaim}' claim holds none of this server's roles."
                : $"The token's '{settings.RoleClaim}' claim stands for several roles ({string.Join(", ", roles)}); a caller acts in one.";
        }
        else if (!PlatformOrganisation.MayHold(organisationId, roles[0], Platform(context)))
        {
            failure = PlatformOrganisation.AdminRefusal(organisationId, Platform(context));
        }
        else
        {
            var organisations = context.HttpContext.RequestServices.GetRequiredService<OrganisationStore>();
            if (await organisations.GetAsync(organisationId, context.HttpContext.RequestAborted).ConfigureAwait(false) is null)
            {
                failure = $"The token's organisation '{organisationId}' is not known here.";
            }
        }

        if (failure is not null)
        {
            context.Fail(failure);
            return;
        }

        context.Principal = new ClaimsPrincipal(ContractClaims.CreateIdentity(SchemeName, organisationId!, roles[0], subject!));
    }

    private static string Platform(TokenValidatedContext context) =>
        context.HttpContext.RequestServices.GetRequiredService<IOptions<BootstrapOptions>>().Value.OrganisationId;
}

/// <summary>
/// The default scheme: sends a request to the JWT bearer handler when it carries <c>Authorization: Bearer</c> and
/// bearer tokens are enabled, otherwise to the API key handler, so each request is judged by the credential it sent.
/// </summary>
internal static class CredentialSelector
{
    public const string SchemeName = "ApiKeyOrBearer";

    public static string Select(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var enabled = context.RequestServices.GetRequiredService<IOptionsMonitor<JwtOptions>>().CurrentValue.Enabled;
        // With both credentials the API key handler refuses the request, so neither silently wins.
        return bearer && enabled && !context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
            ? JwtBearerSetup.SchemeName
            : ApiKeyAuthenticationHandler.SchemeName;
    }

    public static void Configure(PolicySchemeOptions options) => options.ForwardDefaultSelector = Select;
}
