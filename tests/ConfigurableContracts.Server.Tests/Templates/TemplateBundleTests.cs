using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Templates;

/// <summary>
/// Template folders outside the server's content root, a contract made on them, then a restart with edited rule
/// files: the contract still reads and evaluates from its stored bundle, every version's files can be read and
/// compared, and files that reuse a stored version number with other content are refused.
/// </summary>
public sealed class TemplateBundleTests : IDisposable
{
    private const string OldExpression = "followUp3.score < baseline.score";
    private const string NewExpression = "followUp3.score + 2 < baseline.score";

    /// <summary>As an editor writes JSON: indented, and with <c>&lt;</c> and <c>+</c> as they are, so the served text can be searched.</summary>
    private static readonly JsonSerializerOptions Written = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cc_bundles_{Guid.NewGuid():N}");
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"cc_bundles_{Guid.NewGuid():N}.db");

    public TemplateBundleTests()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "TestTemplates"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_root, Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "TestTemplates"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private string RuleFile => Path.Combine(_root, "rules", ServerFactory.TemplateId, "outcomes.json");

    private string ManifestFile => Path.Combine(_root, "schemas", ServerFactory.TemplateId, TemplateLoader.ManifestFileName);

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        SqliteFiles.Delete(_database);
    }

    [Fact]
    public async Task ContractOnTheOldVersion_ReadsAndEvaluates_AfterARestartWithRulesEditedUnderANewVersion_AndBothVersionsAreReadable()
    {
        var (adminKey, contractId, commissionerOrganisation) = await ContractOnFirstStartAsync();
        await EditRuleAsync(bumpTo: "1.1.0");

        await using var server = Server(adminKey);
        using var admin = server.ClientWithKey(adminKey);
        using var commissioner = await server.CallerForAsync(commissionerOrganisation, Roles.Commissioner);

        using var contract = await commissioner.Client.GetAsync($"/api/contracts/{contractId}");
        Assert.Equal(HttpStatusCode.OK, contract.StatusCode);
        var summary = await server.Services.GetRequiredService<ContractEvaluator>()
            .EvaluateAsync(contractId, "after-restart", new DateOnly(2022, 6, 1), null, CancellationToken.None);
        Assert.Equal(1, summary.Participants);
        var decisions = await commissioner.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/decisions");
        Assert.Contains(decisions!, d => d.GetProperty("outcome").GetString() == "Improved" && d.GetProperty("status").GetString() == "Achieved");

        var version = await admin.GetFromJsonAsync<JsonElement>($"/api/templates/{ServerFactory.TemplateId}/versions/1.0.0");
        Assert.Contains($"rules/{ServerFactory.TemplateId}/outcomes.json", version.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains(OldExpression, await FileAsync(admin, "1.0.0"), StringComparison.Ordinal);
        Assert.Contains(NewExpression, await FileAsync(admin, "1.1.0"), StringComparison.Ordinal);

        var diff = await admin.GetFromJsonAsync<JsonElement>($"/api/templates/{ServerFactory.TemplateId}/diff?from=1.0.0&to=1.1.0");
        var rules = Assert.Single(diff.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == $"rules/{ServerFactory.TemplateId}/outcomes.json");
        Assert.Equal("changed", rules.GetProperty("change").GetString());
        var lines = rules.GetProperty("hunks").EnumerateArray().SelectMany(h => h.GetProperty("lines").EnumerateArray()).Select(l => l.GetString()!).ToList();
        Assert.Contains(lines, l => l.StartsWith('-') && l.Contains(OldExpression, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith('+') && l.Contains(NewExpression, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_RefusesRulesEditedUnderTheStoredVersion_AndReportsWhy_WhileTheContractStillReads()
    {
        var (adminKey, contractId, commissionerOrganisation) = await ContractOnFirstStartAsync();
        await EditRuleAsync(bumpTo: null);

        await using var server = Server(adminKey);
        using var admin = server.ClientWithKey(adminKey);
        using var commissioner = await server.CallerForAsync(commissionerOrganisation, Roles.Commissioner);

        var diagnostics = await admin.GetFromJsonAsync<JsonElement[]>($"/api/templates/{ServerFactory.TemplateId}/diagnostics");
        var refusal = Assert.Single(diagnostics!, d => d.GetProperty("code").GetString() == TemplateCatalog.VersionInUseCode);
        Assert.EndsWith($"schemas/{ServerFactory.TemplateId}/template.json", refusal.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Contains("bump the version", refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await admin.GetFromJsonAsync<JsonElement[]>("/api/templates") ?? [], t => t.GetProperty("id").GetString() == ServerFactory.TemplateId);
        using var contract = await commissioner.Client.GetAsync($"/api/contracts/{contractId}");
        Assert.Equal(HttpStatusCode.OK, contract.StatusCode);
        Assert.Contains(OldExpression, await FileAsync(admin, "1.0.0"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..%2F..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("schemas/youth-test/..%2F..%2F..%2Fappsettings.json")]
    [InlineData("rules/youth-test/missing.json")]
    public async Task File_AnswersNotFound_ForAnyPathThatIsNotAFileOfTheBundle(string path)
    {
        await using var server = Server();
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.GetAsync($"/api/templates/{ServerFactory.TemplateId}/versions/1.0.0/files/{path}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/templates/no-such-template/versions/1.0.0/files/schemas/youth-test/template.json")]
    [InlineData("/api/templates/youth-test/versions/9.9.9/files/schemas/youth-test/template.json")]
    [InlineData("/api/templates/youth-test/versions/9.9.9")]
    [InlineData("/api/templates/youth-test/diff?from=1.0.0&to=9.9.9")]
    public async Task UnknownTemplateOrVersion_IsNotFound_AsProblemDetails(string url)
    {
        await using var server = Server();
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// A server on this test's database and template folders, which lie outside its content root; on a restart,
    /// <paramref name="adminKey"/> is the key the first start made, where <see cref="ServerFactory.AdminKey"/> reads it.
    /// </summary>
    private ServerFactory Server(string? adminKey = null)
    {
        var server = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={_database};Pooling=false",
            ["Templates:SchemasPath"] = Path.Combine(_root, "schemas"),
            ["Templates:RulesPath"] = Path.Combine(_root, "rules"),
        });
        if (adminKey is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(server.BootstrapKeyFile)!);
            File.WriteAllText(server.BootstrapKeyFile, adminKey);
        }

        return server;
    }

    /// <summary>The first start: a contract on 1.0.0 with one participant measured twice; the server is then stopped.</summary>
    private async Task<(string AdminKey, string ContractId, string CommissionerOrganisation)> ContractOnFirstStartAsync()
    {
        await using var server = Server();
        var adminKey = server.AdminKey;
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var pseudonym = "BND-" + Guid.NewGuid().ToString("N")[..8];
        var participantId = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, pseudonym);
        foreach (var (point, date, score) in new[] { ("baseline", "2022-01-12", 20), ("followUp3", "2022-04-12", 19) })
        {
            using var measured = await scenario.ProviderA.Client.PostAsJsonAsync(
                $"/api/contracts/{contractId}/participants/{participantId}/measurements", ContractScenario.Measurement(pseudonym, point, date, score));
            Assert.Equal(HttpStatusCode.Created, measured.StatusCode);
        }

        return (adminKey, contractId, scenario.Commissioner.OrganisationId);
    }

    /// <summary>A valid edit of the Improved rule (a score 19 after 20 no longer counts), under a new version when given one.</summary>
    private async Task EditRuleAsync(string? bumpTo)
    {
        var rules = JsonNode.Parse(await File.ReadAllTextAsync(RuleFile))!;
        rules["Rules"]![0]!["Expression"] = NewExpression;
        await File.WriteAllTextAsync(RuleFile, rules.ToJsonString(Written));
        if (bumpTo is not null)
        {
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(ManifestFile))!;
            manifest["version"] = bumpTo;
            await File.WriteAllTextAsync(ManifestFile, manifest.ToJsonString(Written));
        }
    }

    private static async Task<string> FileAsync(HttpClient client, string version)
    {
        using var response = await client.GetAsync($"/api/templates/{ServerFactory.TemplateId}/versions/{version}/files/rules/{ServerFactory.TemplateId}/outcomes.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }
}
