using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Tests.Corpora;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>
/// The rule engine's escape corpus and hostile-script corpus, written one case at a time into a template the
/// running server hot-reloads: after each, the server answers, still offers the last good version of the
/// template, and reports why the file was refused at <c>GET /api/templates/{id}/diagnostics</c>.
/// </summary>
public sealed partial class TemplateCorpusReloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string BenignFunctions = "function half(x) { return x / 2; }\n";

    private static readonly string CorpusRoot = Path.Combine(AppContext.BaseDirectory, "Corpora");

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cc_reload_{Guid.NewGuid():N}");
    private ServerFactory _server = null!;
    private HttpClient _admin = null!;
    private string _rulesFolder = "";

    public async Task InitializeAsync()
    {
        CopyFolder(Path.Combine(AppContext.BaseDirectory, "TestTemplates"), _root);
        _rulesFolder = Path.Combine(_root, "rules", ServerFactory.TemplateId);
        var manifestPath = Path.Combine(_root, "schemas", ServerFactory.TemplateId, TemplateLoader.ManifestFileName);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
        manifest["rules"]!["functions"] = "functions.js";
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(_rulesFolder, "functions.js"), BenignFunctions);

        _server = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Templates:SchemasPath"] = Path.Combine(_root, "schemas"),
            ["Templates:RulesPath"] = Path.Combine(_root, "rules"),
            ["Templates:HotReload"] = "true",
            ["Templates:ReloadDebounce"] = "00:00:00.05",
            ["Templates:PollingInterval"] = "00:00:01",
        });
        _admin = _server.ClientWithKey(_server.AdminKey);
        Assert.Empty(await DiagnosticsAsync());
    }

    [Fact]
    public async Task EscapeCorpusRules_WrittenWhileServing_AreReported_AndTheLastGoodVersionStays()
    {
        var outcomes = Path.Combine(_rulesFolder, "outcomes.json");
        var good = await File.ReadAllTextAsync(outcomes);
        var goodHash = await LatestHashAsync();
        var attempts = HostileCorpora.EscapeAttempts(CorpusRoot);

        foreach (var attempt in attempts)
        {
            // The template's inputs are named; 'input' of the corpus becomes one of them.
            var expression = InputName().Replace(attempt, "participant");
            var workflow = JsonNode.Parse(good)!;
            workflow["Rules"]![0]!["Expression"] = expression;
            await ReloadAfterAsync(() => File.WriteAllTextAsync(outcomes, workflow.ToJsonString()));

            var diagnostics = await DiagnosticsAsync();
            Assert.True(diagnostics.Any(d => d.GetProperty("severity").GetString() == "error" && d.GetProperty("path").GetString()!.EndsWith("outcomes.json", StringComparison.Ordinal)),
                $"'{expression}' was not reported: {JsonSerializer.Serialize(diagnostics)}");
            Assert.Equal(goodHash, await LatestHashAsync());
        }

        await ReloadAfterAsync(() => File.WriteAllTextAsync(outcomes, good));
        Assert.Empty(await DiagnosticsAsync());
        output.WriteLine($"{attempts.Count} escape attempts loaded into the running server; each reported, {goodHash[..12]} served throughout.");
    }

    [Fact]
    public async Task HostileScripts_WrittenWhileServing_AreRefusedOrLoadInert_AndTheServerKeepsAnswering()
    {
        var functions = Path.Combine(_rulesFolder, "functions.js");
        var lastGood = await LatestHashAsync();
        var (refused, loaded) = (0, 0);

        foreach (var name in HostileCorpora.ScriptNames(CorpusRoot))
        {
            var (source, refusedWith) = HostileCorpora.Script(CorpusRoot, name);
            await ReloadAfterAsync(() => File.WriteAllTextAsync(functions, source));

            var diagnostics = await DiagnosticsAsync();
            if (refusedWith is not null)
            {
                Assert.True(diagnostics.Any(d => d.GetProperty("code").GetString() == refusedWith), $"{name}: no {refusedWith} in {JsonSerializer.Serialize(diagnostics)}");
                Assert.Equal(lastGood, await LatestHashAsync());
                refused++;
            }
            else
            {
                // It only fails when a rule calls it (the rule engine's corpus test calls each); loading it is harmless.
                Assert.Empty(diagnostics);
                var loadedHash = await LatestHashAsync();
                Assert.NotEqual(lastGood, loadedHash);
                lastGood = loadedHash;
                loaded++;
            }
        }

        output.WriteLine($"{refused} hostile scripts refused at reload with the last good version kept; {loaded} loaded as new versions (they fail only when called).");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Makes the change, then waits until the catalog has loaded exactly the files now on disk.</summary>
    private async Task ReloadAfterAsync(Func<Task> change)
    {
        var catalog = _server.Services.GetRequiredService<TemplateCatalog>();
        var loader = _server.Services.GetRequiredService<TemplateLoader>();
        var before = loader.Fingerprint();
        await change();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (loader.Fingerprint() is var now && (now == before || catalog.LoadedFingerprint != now))
        {
            await Task.Delay(20, deadline.Token);
        }

        using var health = await _admin.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private async Task<JsonElement[]> DiagnosticsAsync() =>
        (await _admin.GetFromJsonAsync<JsonElement[]>($"/api/templates/{ServerFactory.TemplateId}/diagnostics"))!;

    private async Task<string> LatestHashAsync() =>
        (await _admin.GetFromJsonAsync<JsonElement>($"/api/templates/{ServerFactory.TemplateId}")).GetProperty("latest").GetProperty("bundleHash").GetString()!;

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"\binput\b")]
    private static partial Regex InputName();
}
