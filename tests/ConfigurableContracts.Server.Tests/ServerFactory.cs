using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace ConfigurableContracts.Server.Tests;

/// <summary>
/// The real server in-process, on its own fresh SQLite file, so each test class owns its data. Extra settings
/// (as <c>Section:Key</c> pairs) override appsettings.json the way environment variables would.
/// </summary>
public sealed class ServerFactory : WebApplicationFactory<Program>
{
    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"cc_server_{Guid.NewGuid():N}.db");
    private readonly Dictionary<string, string?> _settings;

    public ServerFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    private ServerFactory(IDictionary<string, string?> settings)
    {
        _settings = new Dictionary<string, string?>(settings)
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={_databaseFile};Pooling=false",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    /// <summary>A server with extra settings; xUnit fixtures need the single parameterless constructor.</summary>
    public static ServerFactory WithSettings(IDictionary<string, string?> settings) => new(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            File.Delete(_databaseFile);
            File.Delete(_databaseFile + "-wal");
            File.Delete(_databaseFile + "-shm");
        }
    }
}
