using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Security;

/// <summary>API key authentication, the role policies, the first-start admin key, and <c>GET /api/me</c>.</summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BootstrapOptions>, BootstrapOptionsValidator>();
        builder.Services.AddHostedService<BootstrapAdminKey>();
        return builder;
    }

    public static WebApplication UseSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/api/me", GetCaller)
            .WithName(nameof(GetCaller))
            .WithSummary("Who the API key in this request belongs to: organisation, role and key id.")
            .WithTags("Security");
        return app;
    }

    /// <summary>The caller behind this request's credentials.</summary>
    public static Ok<CallerDto> GetCaller(ClaimsPrincipal user)
    {
        var caller = user.ToCaller();
        return TypedResults.Ok(new CallerDto(caller.OrganisationId, caller.Role, caller.ActorId));
    }
}

/// <summary>The organisation and role a request acts as.</summary>
public sealed record CallerDto(string OrganisationId, string Role, string KeyId);
