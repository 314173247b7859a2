using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Evaluation;
using ConfigurableContracts.Core.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Cli.Hosting;

/// <summary>
/// The configuration and services database-backed commands share with the server: the same appsettings.json
/// (found from the current folder upwards, or named with <c>--settings</c>) and the same environment variables.
/// </summary>
internal static class CliServices
{
    public static ServiceProvider Build(string? settingsFile, Action<IServiceCollection>? addServices = null)
    {
        var settingsPath = settingsFile is null ? FindSettings() : Path.GetFullPath(settingsFile);
        var contentRoot = settingsPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(settingsPath)!;
        var configurationBuilder = new ConfigurationBuilder();
        if (settingsPath is not null)
        {
            configurationBuilder.AddJsonFile(settingsPath, optional: false);
        }

        var configuration = configurationBuilder.AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        // Commands print their own results; the log only carries warnings, to stderr.
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddDatabase(contentRoot);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditTargets>();
        services.AddSingleton<OperatorAudit>();

        // Templates are read once: a command is short-lived, so it needs no hot reload.
        services.AddTemplateCatalog(contentRoot);
        services.TryAddSingleton<BundleTemplates>();
        services.AddSingleton<DecisionReplay>();
        addServices?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static string? FindSettings()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "appsettings.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
