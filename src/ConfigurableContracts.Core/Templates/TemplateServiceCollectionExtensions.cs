using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Templates;

/// <summary>Registers the template catalog, loaded once at start-up and kept current by the reloader.</summary>
public static class TemplateServiceCollectionExtensions
{
    /// <summary>The catalog with hot reload, for the server.</summary>
    public static IServiceCollection AddTemplates(this IServiceCollection services, string contentRoot)
    {
        services.AddTemplateCatalog(contentRoot);
        services.AddHostedService<TemplateReloader>();
        return services;
    }

    /// <summary>The catalog, loaded once when first resolved; short-lived hosts such as the CLI need no reloader.</summary>
    public static IServiceCollection AddTemplateCatalog(this IServiceCollection services, string contentRoot)
    {
        services.AddOptions<TemplateOptions>().BindConfiguration(TemplateOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TemplateOptions>, TemplateOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new TemplateLoader(contentRoot, provider.GetRequiredService<IOptions<TemplateOptions>>().Value));
        services.AddSingleton(provider =>
        {
            var catalog = new TemplateCatalog(provider.GetRequiredService<TemplateLoader>(), provider.GetRequiredService<ILogger<TemplateCatalog>>());
            catalog.Reload();
            return catalog;
        });
        return services;
    }
}
