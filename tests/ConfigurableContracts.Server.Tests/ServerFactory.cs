using System.Net.Http.Json;
using ConfigurableContracts.Server.Organisations;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Server.Tests;

/// <summary>
/// The real server in-process, on its own fresh SQLite file and the test templates in <c>TestTemplates/</c>, so
/// each test class owns its data. Extra settings (as <c>Section:Key</c> pairs) override appsettings.json the way
/// environment variables would. The first-start admin key lands in a temporary file: <see cref="AdminKey"/>.
/// </summary>
public sealed class ServerFactory : WebApplicationFactory<Program>
{
    public const string TemplateId = "youth-test";

    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"cc_server_{Guid.NewGuid():N}.db");
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public ServerFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    private ServerFactory(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        _services = services;
        BootstrapKeyFile = Path.Combine(Path.GetTempPath(), $"cc_bootstrap_{Guid.NewGuid():N}", "admin.key");
        var templates = Path.Combine(AppContext.BaseDirectory, "TestTemplates");
        _settings = new Dictionary<string, string?>(settings)
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={_databaseFile};Pooling=false",
            ["Templates:SchemasPath"] = Path.Combine(templates, "schemas"),
            ["Templates:RulesPath"] = Path.Combine(templates, "rules"),
            ["Templates:HotReload"] = "false",
            ["Security:Bootstrap:KeyFile"] = BootstrapKeyFile,
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public string BootstrapKeyFile { get; }

    /// <summary>Every log message the server wrote, formatted, for tests that check what must never be logged.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> LogMessages { get; } = new();

    /// <summary>The admin key the server wrote on first start (starting the server if needed).</summary>
    public string AdminKey
    {
        get
        {
            _ = Services; // starts the host, which bootstraps the key
            return File.ReadAllText(BootstrapKeyFile).Trim();
        }
    }

    /// <summary>A server with extra settings; xUnit fixtures need the single parameterless constructor.</summary>
    public static ServerFactory WithSettings(IDictionary<string, string?> settings) => new(settings);

    /// <summary>A server with extra settings and services replaced after the app's own (a fake clock, say).</summary>
    public static ServerFactory WithSettings(IDictionary<string, string?> settings, Action<IServiceCollection> services) => new(settings, services);

    /// <summary>A client that sends <paramref name="apiKey"/> on every request.</summary>
    public HttpClient ClientWithKey(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        return client;
    }

    /// <summary>
    /// A new organisation (unique id from <paramref name="prefix"/>) with a key in <paramref name="role"/>, made
    /// through the admin API as an operator would.
    /// </summary>
    public async Task<TestCaller> CallerAsync(string role, string prefix = "org")
    {
        using var admin = ClientWithKey(AdminKey);
        var id = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
        (await admin.PostAsJsonAsync("/api/organisations", new { id, name = prefix })).EnsureSuccessStatusCode();
        using var response = await admin.PostAsJsonAsync($"/api/organisations/{id}/keys", new { role, label = "test" });
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<CreatedKeyDto>())!;
        return new TestCaller(id, created.Key.Id, ClientWithKey(created.Secret));
    }

    /// <summary>A key for an existing organisation.</summary>
    public async Task<TestCaller> CallerForAsync(string organisationId, string role)
    {
        using var admin = ClientWithKey(AdminKey);
        using var response = await admin.PostAsJsonAsync($"/api/organisations/{organisationId}/keys", new { role, label = "test" });
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<CreatedKeyDto>())!;
        return new TestCaller(organisationId, created.Key.Id, ClientWithKey(created.Secret));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        // Recorded for assertions, not printed: a hundred servers' request logs buried CI's report of the one failing test.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(new RecordingLoggerProvider(LogMessages)));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteFiles.Delete(_databaseFile);
            if (Directory.Exists(Path.GetDirectoryName(BootstrapKeyFile)))
            {
                Directory.Delete(Path.GetDirectoryName(BootstrapKeyFile)!, recursive: true);
            }
        }
    }
}

/// <summary>An organisation and a client carrying one of its keys.</summary>
public sealed record TestCaller(string OrganisationId, string KeyId, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>Keeps every formatted log message (all levels) in a queue the test can read.</summary>
internal sealed class RecordingLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RecordingLogger(messages);

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
