using System.Reflection;
using ConfigurableContracts.Server.Security;
using Microsoft.OpenApi;

namespace ConfigurableContracts.Server.ApiDocs;

/// <summary>The OpenAPI document (Swashbuckle) and Swagger UI, always on: the API is the product's surface.</summary>
public static class ApiDocsExtensions
{
    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ConfigurableContracts",
                Version = typeof(ApiDocsExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "v1",
                Description = "Social outcome contracts run from version-controlled templates and outcome rules.",
            });

            // Every /api endpoint needs a key; declaring it document-wide lets Swagger UI's Authorize button send it.
            options.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key (cck_…) issued by an admin or by `contracts keys create`; it selects organisation and role.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
            });
        });
        return services;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSwagger();
        app.UseSwaggerUI(options => options.DocumentTitle = "ConfigurableContracts API");
        return app;
    }
}
