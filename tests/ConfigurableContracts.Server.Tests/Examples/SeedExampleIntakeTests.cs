using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;

namespace ConfigurableContracts.Server.Tests.Examples;

/// <summary>
/// The shipped template's example data goes through the API as an operator would send it: the example contract
/// is accepted, and each provider's upload of the shared example files enrols exactly its own participants and
/// records exactly their measurements. This keeps the examples, the schemas and the intake rules in step.
/// </summary>
public sealed class SeedExampleIntakeTests : IDisposable
{
    private const string TemplateId = "preventive-youth-support";

    private static readonly string Repository = FindRepository();

    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Templates:SchemasPath"] = Path.Combine(Repository, "schemas"),
        ["Templates:RulesPath"] = Path.Combine(Repository, "rules"),
    });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ExampleFiles_EnrolAndMeasureEveryParticipant_EachByItsOwnProvider()
    {
        var examples = Path.Combine(Repository, "schemas", TemplateId, "examples");
        using var parameters = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(examples, "contract.json")));
        var participantLines = await File.ReadAllLinesAsync(Path.Combine(examples, "participants.jsonl"));
        var measurementLines = await File.ReadAllLinesAsync(Path.Combine(examples, "measurements.jsonl"));
        var commissionerId = parameters.RootElement.GetProperty("commissioner").GetProperty("id").GetString()!;
        var providerIds = parameters.RootElement.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();
        using var admin = _server.ClientWithKey(_server.AdminKey);
        foreach (var id in providerIds.Prepend(commissionerId))
        {
            (await admin.PostAsJsonAsync("/api/organisations", new { id, name = id })).EnsureSuccessStatusCode();
        }

        using var commissioner = await _server.CallerForAsync(commissionerId, Roles.Commissioner);
        using var created = await commissioner.Client.PostAsJsonAsync(
            "/api/contracts", new { templateId = TemplateId, templateVersion = "1.1.0", parameters = parameters.RootElement });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var contractId = (await ContractScenario.Json(created)).GetProperty("id").GetString();
        (await commissioner.Client.PostAsync($"/api/contracts/{contractId}/activate", null)).EnsureSuccessStatusCode();

        var enrolled = 0;
        var measured = 0;
        foreach (var providerId in providerIds)
        {
            using var provider = await _server.CallerForAsync(providerId, Roles.Provider);
            using var participants = await provider.Client.PostAsync($"/api/contracts/{contractId}/participants:bulk", ContractScenario.JsonLines(participantLines));
            using var measurements = await provider.Client.PostAsync($"/api/contracts/{contractId}/measurements:bulk", ContractScenario.JsonLines(measurementLines));
            var enrolment = await ContractScenario.Json(participants);
            var recording = await ContractScenario.Json(measurements);
            enrolled += enrolment.GetProperty("accepted").GetInt32();
            measured += recording.GetProperty("accepted").GetInt32();

            // Another provider's lines are refused for naming another provider (participants) or an unknown pseudonym (measurements).
            Assert.All(
                enrolment.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("status").GetString() == "rejected"),
                l => Assert.Equal("$.providerId", l.GetProperty("errors")[0].GetProperty("path").GetString()));
            Assert.All(
                recording.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("status").GetString() == "rejected"),
                l => Assert.Equal("$.pseudonym", l.GetProperty("errors")[0].GetProperty("path").GetString()));
        }

        var all = await commissioner.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants?limit=1000");
        Assert.Equal((participantLines.Length, measurementLines.Length), (enrolled, measured));
        Assert.Equal(participantLines.Length, all!.Length);
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ConfigurableContracts.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: no ConfigurableContracts.sln above " + AppContext.BaseDirectory);
    }
}
