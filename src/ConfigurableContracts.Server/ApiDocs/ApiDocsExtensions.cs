using System.Reflection;
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
