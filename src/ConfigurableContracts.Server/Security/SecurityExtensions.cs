using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Security;

/// <summary>API key and bearer-token authentication, the role policies, the first-start admin key, and <c>GET /api/me</c>.</summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthentication(CredentialSelector.SchemeName)
            .AddPolicyScheme(CredentialSelector.SchemeName, "API key or bearer token", CredentialSelector.Configure)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(JwtBearerSetup.SchemeName, _ => { }); // configured by JwtBearerSetup from Authentication:Jwt
        builder.Services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        builder.Services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>, JwtBearerSetup>();
        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BootstrapOptions>, BootstrapOptionsValidator>();
        builder.Services.AddHostedService<BootstrapAdminKey>();
        return builder;
    }

    /// <summary>
    /// Identifies the caller from an API key or bearer token, refusing nothing yet: the rate limit between this and
    /// <see cref="UseSecurity"/> needs to know whether the credentials are valid to count the request against an
    /// organisation or against a remote address.
    /// </summary>
    public static WebApplication UseCallerIdentity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        return app;
    }

    /// <summary>Refuses requests whose caller (from <see cref="UseCallerIdentity"/>) the endpoint's policy does not admit; maps <c>/api/me</c>.</summary>
    public static WebApplication UseSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthorization();
        app.MapGet("/api/me", GetCaller)
            .WithName(nameof(GetCaller))
            .WithSummary("Who the credentials in this request belong to: organisation, role and key id (or token subject).")
            .WithTags("Security");
        return app;
    }

    /// <summary>The caller behind this request's credentials.</summary>
    public static Ok<CallerDto> GetCaller(RequestCaller requestCaller)
    {
        var caller = requestCaller.Caller;
        return TypedResults.Ok(new CallerDto(caller.OrganisationId, caller.Role, caller.ActorId));
    }
}

/// <summary>The organisation and role a request acts as.</summary>
public sealed record CallerDto(string OrganisationId, string Role, string KeyId);
