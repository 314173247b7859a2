using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Security;

namespace ConfigurableContracts.Server.Tests.Contracts;

/// <summary>
/// A commissioner, two providers (A and B) and a third party, each with its own organisation and key, created
/// through the API for one test; plus helpers for the requests most tests make on the way to what they check.
/// </summary>
public sealed class ContractScenario : IAsyncDisposable
{
    private ContractScenario(TestCaller commissioner, TestCaller providerA, TestCaller providerB, TestCaller outsider)
    {
        Commissioner = commissioner;
        ProviderA = providerA;
        ProviderB = providerB;
        Outsider = outsider;
    }

    public TestCaller Commissioner { get; }

    public TestCaller ProviderA { get; }

    public TestCaller ProviderB { get; }

    /// <summary>A provider the contracts do not name.</summary>
    public TestCaller Outsider { get; }

    public static async Task<ContractScenario> CreateAsync(ServerFactory server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new ContractScenario(
            await server.CallerAsync(Roles.Commissioner, "kommun"),
            await server.CallerAsync(Roles.Provider, "forening-a"),
            await server.CallerAsync(Roles.Provider, "forening-b"),
            await server.CallerAsync(Roles.Provider, "utanfor"));
    }

    public object Parameters(params string[] providers) => new
    {
        title = "Tidigt stöd",
        commissioner = new { id = Commissioner.OrganisationId, name = "Kommun" },
        providers = providers.Select(id => new { id, name = id, price = 8000 }).ToArray(),
        targetShare = 0.4,
    };

    public object CreateRequest(params string[] providers) =>
        new { templateId = ServerFactory.TemplateId, templateVersion = "1.0.0", parameters = Parameters(providers) };

    /// <summary>
    /// A contract naming providers A and B on <paramref name="templateVersion"/>, activated unless
    /// <paramref name="activate"/> is false.
    /// </summary>
    public async Task<JsonElement> ContractAsync(bool activate = true, string templateVersion = "1.0.0")
    {
        var request = new { templateId = ServerFactory.TemplateId, templateVersion, parameters = Parameters(ProviderA.OrganisationId, ProviderB.OrganisationId) };
        using var created = await Commissioner.Client.PostAsJsonAsync("/api/contracts", request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var contract = await Json(created);
        if (!activate)
        {
            return contract;
        }

        using var activated = await Commissioner.Client.PostAsync($"/api/contracts/{contract.GetProperty("id").GetString()}/activate", null);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        return await Json(activated);
    }

    public static object Participant(string pseudonym, string enrolled = "2022-01-10", string? notes = null) =>
        notes is null
            ? new { pseudonym, enrolmentDate = enrolled, schoolYear = 7 }
            : new { pseudonym, enrolmentDate = enrolled, schoolYear = 7, notes };

    public static object Measurement(string pseudonym, string point, string date, int score) => new { pseudonym, point, date, score };

    /// <summary>Enrols a participant as <paramref name="provider"/> and returns its id.</summary>
    public static async Task<string> EnrolAsync(TestCaller provider, string contractId, string pseudonym, string enrolled = "2022-01-10")
    {
        ArgumentNullException.ThrowIfNull(provider);
        using var response = await provider.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants", Participant(pseudonym, enrolled));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetString()!;
    }

    public static StringContent JsonLines(IEnumerable<string> lines) =>
        new(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson");

    public static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>The JSON paths of a validation problem's errors.</summary>
    public static async Task<string[]> ErrorPathsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json(response);
        return problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
    }

    public ValueTask DisposeAsync()
    {
        Commissioner.Dispose();
        ProviderA.Dispose();
        ProviderB.Dispose();
        Outsider.Dispose();
        return ValueTask.CompletedTask;
    }
}
