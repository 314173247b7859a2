using ConfigurableContracts.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Cli.Hosting;

/// <summary>
/// The configuration and services database-backed commands share with the server: the same appsettings.json
/// (found from the current folder upwards, or named with <c>--settings</c>), the same environment variables, and
/// Core registered by the server's own <c>AddContractsCore</c>. There is no host start-up to validate options at,
/// so each section is validated, by the server's validators, when a command first reads it.
/// </summary>
internal static class CliServices
{
    public static ServiceProvider Build(string? settingsFile)
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
        // Commands print their own results; the log only carries warnings, to stderr.
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

        // Templates are read once (AddContractsCore adds no hot reload): a command is short-lived.
        services.AddContractsCore(configuration, contentRoot);
        services.AddSingleton<OperatorAudit>();
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
