using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Core.Templates;

/// <summary>Registers the template catalog, loaded once at start-up and kept current by the reloader.</summary>
public static class TemplateServiceCollectionExtensions
{
    /// <summary>
    /// Keeps the catalog (<see cref="AddTemplateCatalog"/>) current while the server runs, and remembers the versions
    /// stored for contracts.
    /// </summary>
    public static IServiceCollection AddTemplateHotReload(this IServiceCollection services)
    {
        // The server holds contracts: version numbers stored for them are refused with other content after a restart too.
        services.TryAddSingleton<StoredBundles>();
        services.TryAddSingleton<IStoredBundleVersions>(provider => provider.GetRequiredService<StoredBundles>());
        services.AddHostedService<TemplateReloader>();
        return services;
    }

    /// <summary>
    /// The catalog, loaded once when first resolved (part of <c>AddContractsCore</c>); short-lived hosts such as the
    /// CLI need no reloader.
    /// </summary>
    public static IServiceCollection AddTemplateCatalog(this IServiceCollection services, string contentRoot)
    {
        services.AddOptions<TemplateOptions>().BindConfiguration(TemplateOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TemplateOptions>, TemplateOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new TemplateLoader(contentRoot, provider.GetRequiredService<IOptions<TemplateOptions>>().Value));
        services.AddSingleton(provider =>
        {
            var catalog = new TemplateCatalog(
                provider.GetRequiredService<TemplateLoader>(),
                provider.GetRequiredService<ILogger<TemplateCatalog>>(),
                provider.GetService<IStoredBundleVersions>(),
                provider.GetRequiredService<TimeProvider>());
            catalog.Reload();
            return catalog;
        });
        return services;
    }
}
