using System.Net.Http.Json;
using ConfigurableContracts.Server.Organisations;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

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

    public ServerFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    private ServerFactory(IDictionary<string, string?> settings)
    {
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
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            File.Delete(_databaseFile);
            File.Delete(_databaseFile + "-wal");
            File.Delete(_databaseFile + "-shm");
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
