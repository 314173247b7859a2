namespace ConfigurableContracts.Server.Hosting;

/// <summary>
/// Finds the folder whose <c>appsettings.json</c> the server reads: the repository root in a checkout, the
/// publish folder in a deployment. Relative paths in configuration (the SQLite file, <c>schemas/</c>,
/// <c>rules/</c>) resolve against it, so the server behaves the same whatever the working directory.
/// </summary>
public static class ContentRoot
{
    public const string SettingsFile = "appsettings.json";

    /// <summary>
    /// The nearest folder at or above the application's base directory that holds <see cref="SettingsFile"/>;
    /// the current directory when none does.
    /// </summary>
    public static string Locate()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SettingsFile)))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>
    /// Builder options for <see cref="WebApplication.CreateBuilder(WebApplicationOptions)"/>. An explicit
    /// <c>--contentRoot</c> argument (the test host passes one) wins over discovery.
    /// </summary>
    public static WebApplicationOptions CreateOptions(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var explicitRoot = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));
        return new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = explicitRoot ? null : Locate(),
        };
    }
}
