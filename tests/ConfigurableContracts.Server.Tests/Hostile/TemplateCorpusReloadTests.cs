using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Tests.Contracts;
using ConfigurableContracts.Tests.Corpora;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>
/// The rule engine's escape corpus and hostile-script corpus (files and generated sources), and a corpus of hostile
/// schema files, written one case at a time into a template the running server hot-reloads: after each, the server
/// answers, still offers the last good version of the template, and reports why the file was refused at
/// <c>GET /api/templates/{id}/diagnostics</c>. What loads is then used: each inert hostile script is called by a rule
/// in a real evaluation run inside the server, and the catastrophic schema pattern validates a real enrolment.
/// Versions mean content, so every case that may load goes out under a new version number.
/// </summary>
public sealed partial class TemplateCorpusReloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The benign functions.js: <c>attack</c> is the name every hostile script defines, so the Attack rule binds to either.</summary>
    private const string BenignFunctions = "function half(x) { return x / 2; }\nfunction attack() { return 1; }\n";

    /// <summary>A rule that calls the script's attack function, so an evaluation runs it in the server.</summary>
    private const string AttackRule = "Attack";

    private static readonly string CorpusRoot = Path.Combine(AppContext.BaseDirectory, "Corpora");

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cc_reload_{Guid.NewGuid():N}");
    private ServerFactory _server = null!;
    private HttpClient _admin = null!;
    private string _rulesFolder = "";
    private string _manifestPath = "";
    private int _patch;

    /// <summary>The newest version the server offers, which new contracts are made on.</summary>
    private string _served = "1.0.0";

    public async Task InitializeAsync()
    {
        CopyFolder(Path.Combine(AppContext.BaseDirectory, "TestTemplates"), _root);
        _rulesFolder = Path.Combine(_root, "rules", ServerFactory.TemplateId);
        _manifestPath = Path.Combine(_root, "schemas", ServerFactory.TemplateId, TemplateLoader.ManifestFileName);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(_manifestPath))!;
        manifest["rules"]!["functions"] = "functions.js";
        await File.WriteAllTextAsync(_manifestPath, manifest.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(_rulesFolder, "functions.js"), BenignFunctions);
        var outcomes = Path.Combine(_rulesFolder, "outcomes.json");
        var workflow = JsonNode.Parse(await File.ReadAllTextAsync(outcomes))!;
        workflow["Rules"]!.AsArray().Add(new JsonObject { ["RuleName"] = AttackRule, ["Expression"] = "fn.attack() != null" });
        await File.WriteAllTextAsync(outcomes, workflow.ToJsonString());

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
    public async Task HostileScripts_WrittenWhileServing_AreRefusedOrFailOnlyTheRuleThatCallsThem_AndTheServerKeepsAnswering()
    {
        var functions = Path.Combine(_rulesFolder, "functions.js");
        var lastGood = await LatestHashAsync();
        await using var scenario = await ContractScenario.CreateAsync(_server);

        // The benign attack() passes: an Error below comes from the hostile function, not from the set-up.
        var (benign, _) = await EvaluateAttackAsync(scenario, lastGood);
        Assert.Equal("Achieved", benign);
        var (refused, ran) = (0, 0);
        var cases = HostileCorpora.ScriptNames(CorpusRoot).Select(name => (Name: name, Case: HostileCorpora.Script(CorpusRoot, name)))
            .Concat(HostileCorpora.GeneratedScripts().Select(g => (Name: g.Description, Case: (Source: g.Source, RefusedWith: (string?)g.RefusedWith))));
        foreach (var (name, (source, refusedWith)) in cases)
        {
            var attempted = "";
            await ReloadAfterAsync(async () =>
            {
                attempted = await BumpVersionAsync();
                await File.WriteAllTextAsync(functions, source);
            });

            var diagnostics = await DiagnosticsAsync();
            if (refusedWith is not null)
            {
                Assert.True(diagnostics.Any(d => d.GetProperty("code").GetString() == refusedWith), $"{name}: no {refusedWith} in {JsonSerializer.Serialize(diagnostics)}");
                Assert.Equal(lastGood, await LatestHashAsync());
                refused++;
            }
            else
            {
                // It loads; run it where it would do harm: a rule calls it in a real evaluation inside the server.
                Assert.Empty(diagnostics);
                var loadedHash = await LatestHashAsync();
                Assert.NotEqual(lastGood, loadedHash);
                lastGood = loadedHash;
                _served = attempted;
                var (status, reason) = await EvaluateAttackAsync(scenario, loadedHash);
                Assert.True(status == "Error", $"{name}: the rule calling attack() is {status} ({reason}), not Error");
                ran++;
            }
        }

        Assert.Equal(HostileCorpora.ScriptNames(CorpusRoot).Count + HostileCorpora.GeneratedScripts().Count, refused + ran);
        output.WriteLine($"{refused} hostile scripts refused at reload with the last good version kept ({HostileCorpora.GeneratedScripts().Count} of them generated); " +
            $"{ran} loaded as new versions, each called by a rule in an evaluation run inside the server: every run finished with that rule Error.");
    }

    [Fact]
    public async Task HostileSchemas_WrittenWhileServing_AreReportedOrHarmless_AndTheLastGoodVersionStays()
    {
        var schemaFolder = Path.Combine(_root, "schemas", ServerFactory.TemplateId);
        var participantSchema = Path.Combine(schemaFolder, "participant.schema.json");
        var good = await File.ReadAllTextAsync(participantSchema);
        var lastGood = await LatestHashAsync();

        // A remote $ref names this port; a connection here would mean the server tried to fetch it.
        var remote = new TcpListener(IPAddress.Loopback, 0);
        remote.Start();
        try
        {
            var corpus = HostileSchemas.All(good, ((IPEndPoint)remote.LocalEndpoint).Port);
            var written = new HashSet<string>(StringComparer.Ordinal);
            var (refused, harmless) = (0, 0);
            foreach (var schema in corpus)
            {
                var attempted = "";
                await ReloadAfterAsync(async () =>
                {
                    attempted = await BumpVersionAsync();
                    foreach (var (path, text) in schema.OtherFiles)
                    {
                        var full = Path.GetFullPath(Path.Combine(schemaFolder, path));
                        written.Add(full);
                        await File.WriteAllTextAsync(full, text);
                    }

                    await File.WriteAllBytesAsync(participantSchema, schema.Participant);
                });

                var diagnostics = await DiagnosticsAsync();
                if (schema.RefusedWith is not null)
                {
                    Assert.True(
                        diagnostics.Any(d => d.GetProperty("code").GetString() == schema.RefusedWith && d.GetProperty("severity").GetString() == "error"),
                        $"{schema.Name}: no {schema.RefusedWith} in {JsonSerializer.Serialize(diagnostics)}");
                    Assert.Equal(lastGood, await LatestHashAsync());
                    refused++;
                }
                else
                {
                    Assert.Empty(diagnostics);
                    lastGood = await LatestHashAsync();
                    _served = attempted;
                    await AssertCatastrophicPatternIsHarmlessAsync(lastGood);
                    harmless++;
                }

                Assert.False(remote.Pending(), $"{schema.Name}: the server connected to the remote $ref's address");
            }

            await ReloadAfterAsync(async () =>
            {
                await BumpVersionAsync();
                foreach (var file in written)
                {
                    File.Delete(file);
                }

                await File.WriteAllTextAsync(participantSchema, good);
            });
            Assert.Empty(await DiagnosticsAsync());
            output.WriteLine($"{corpus.Count} hostile schemas hot-reloaded: {refused} refused and reported at /diagnostics with the last good version kept, " +
                $"{harmless} loaded and harmless in use; no connection to the remote $ref address.");
        }
        finally
        {
            remote.Stop();
        }
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

    /// <summary>
    /// A contract pinned to <paramref name="bundleHash"/>, one participant with both measurements, and a real
    /// evaluation run through the server's own evaluator; returns the Attack rule's decided status and reason.
    /// </summary>
    private async Task<(string Status, string? Reason)> EvaluateAttackAsync(ContractScenario scenario, string bundleHash)
    {
        var contract = await scenario.ContractAsync(templateVersion: _served);
        Assert.Equal(bundleHash, contract.GetProperty("bundleHash").GetString());
        var contractId = contract.GetProperty("id").GetString()!;
        var pseudonym = "RUN-" + Guid.NewGuid().ToString("N")[..8];
        var participantId = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, pseudonym);
        foreach (var (point, date, score) in new[] { ("baseline", "2022-01-12", 20), ("followUp3", "2022-04-12", 10) })
        {
            using var measured = await scenario.ProviderA.Client.PostAsJsonAsync(
                $"/api/contracts/{contractId}/participants/{participantId}/measurements", ContractScenario.Measurement(pseudonym, point, date, score));
            Assert.Equal(HttpStatusCode.Created, measured.StatusCode);
        }

        var summary = await _server.Services.GetRequiredService<ContractEvaluator>()
            .EvaluateAsync(contractId, "reload-" + Guid.NewGuid().ToString("N")[..8], new DateOnly(2022, 6, 1), null, CancellationToken.None);
        Assert.Equal(1, summary.Participants);
        var decisions = await scenario.Commissioner.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/decisions?participant={pseudonym}");
        var attack = Assert.Single(decisions!, d => d.GetProperty("outcome").GetString() == AttackRule);
        using var health = await _admin.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        return (attack.GetProperty("status").GetString()!, attack.GetProperty("resultTree").TryGetProperty("reason", out var reason) ? reason.ToString() : null);
    }

    /// <summary>
    /// The schema with <c>^(a+)+$</c> loaded; an enrolment whose pseudonym makes it backtrack must be answered as
    /// invalid within the guard's regex timeout, and the server must go on answering.
    /// </summary>
    private async Task AssertCatastrophicPatternIsHarmlessAsync(string bundleHash)
    {
        await using var scenario = await ContractScenario.CreateAsync(_server);
        var contract = await scenario.ContractAsync(templateVersion: _served);
        Assert.Equal(bundleHash, contract.GetProperty("bundleHash").GetString());
        using var enrolled = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contract.GetProperty("id").GetString()}/participants", ContractScenario.Participant(HostileSchemas.CatastrophicPseudonym));
        var body = await enrolled.Content.ReadAsStringAsync();
        Assert.True(enrolled.StatusCode == HttpStatusCode.BadRequest, $"{(int)enrolled.StatusCode} {body}");
        output.WriteLine($"catastrophic pattern: the enrolment was answered {(int)enrolled.StatusCode}: {body}");
        using var health = await _admin.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>Writes the manifest with the next patch version, so the edit made with it may load as a new version.</summary>
    private async Task<string> BumpVersionAsync()
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(_manifestPath))!;
        var version = $"1.0.{++_patch}";
        manifest["version"] = version;
        await File.WriteAllTextAsync(_manifestPath, manifest.ToJsonString());
        return version;
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
