using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Contracts;

public sealed class ContractEndpointTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task Create_PinsTemplateVersionAndBundle_AsADraftWithETag()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var expectedHash = server.Services.GetRequiredService<TemplateCatalog>().VersionsOf(ServerFactory.TemplateId).Single().BundleHash;

        using var response = await scenario.Commissioner.Client.PostAsJsonAsync("/api/contracts", scenario.CreateRequest(scenario.ProviderA.OrganisationId));
        var contract = await ContractScenario.Json(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal(("draft", "1.0.0", expectedHash, scenario.Commissioner.OrganisationId, "Tidigt stöd"), (
            contract.GetProperty("status").GetString(),
            contract.GetProperty("templateVersion").GetString(),
            contract.GetProperty("bundleHash").GetString(),
            contract.GetProperty("commissionerId").GetString(),
            contract.GetProperty("title").GetString()));
        Assert.Equal([scenario.ProviderA.OrganisationId], contract.GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(0.4m, contract.GetProperty("parameters").GetProperty("targetShare").GetDecimal());
    }

    [Fact]
    public async Task Create_ReportsEveryProblem_ByJsonPath()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var request = new
        {
            templateId = ServerFactory.TemplateId,
            templateVersion = "1.0.0",
            parameters = new
            {
                title = "X",
                commissioner = new { id = "someone-else" },
                providers = new object[] { new { id = scenario.ProviderA.OrganisationId }, new { id = "no-such-provider" } },
                targetShare = 1.5,
            },
        };

        using var response = await scenario.Commissioner.Client.PostAsJsonAsync("/api/contracts", request);

        Assert.Equal(
            ["$.parameters.commissioner.id", "$.parameters.providers[1].id", "$.parameters.targetShare"],
            await ContractScenario.ErrorPathsAsync(response));
    }

    [Fact]
    public async Task Create_NamesTheOfferedVersions_WhenTheVersionIsUnknown()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);

        using var response = await scenario.Commissioner.Client.PostAsJsonAsync(
            "/api/contracts", new { templateId = ServerFactory.TemplateId, templateVersion = "9.9.9", parameters = scenario.Parameters() });
        var problem = await ContractScenario.Json(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("offered: 1.0.0", problem.GetProperty("errors").GetProperty("$.templateVersion")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_IsForbidden_ToProvidersAndAdmins()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        using var admin = server.ClientWithKey(server.AdminKey);

        using var byProvider = await scenario.ProviderA.Client.PostAsJsonAsync("/api/contracts", scenario.CreateRequest());
        using var byAdmin = await admin.PostAsJsonAsync("/api/contracts", scenario.CreateRequest());

        Assert.Equal(HttpStatusCode.Forbidden, byProvider.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAdmin.StatusCode);
    }

    [Fact]
    public async Task Contract_IsVisibleToItsCommissionerAuditorAndProviders_AndNoOneElse()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        using var auditor = await server.CallerForAsync(scenario.Commissioner.OrganisationId, Roles.Auditor);
        using var otherCommissioner = await server.CallerAsync(Roles.Commissioner, "annan");
        var id = (await scenario.ContractAsync()).GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.OK, (await scenario.Commissioner.Client.GetAsync($"/api/contracts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.Client.GetAsync($"/api/contracts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await scenario.ProviderB.Client.GetAsync($"/api/contracts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scenario.Outsider.Client.GetAsync($"/api/contracts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherCommissioner.Client.GetAsync($"/api/contracts/{id}")).StatusCode);
        Assert.Empty(await scenario.Outsider.Client.GetFromJsonAsync<JsonElement[]>("/api/contracts") ?? []);
        Assert.Equal([id], (await scenario.ProviderA.Client.GetFromJsonAsync<JsonElement[]>("/api/contracts?status=active"))!.Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Update_NeedsIfMatch_AndRefusesAStaleETag()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var id = (await scenario.ContractAsync(activate: false)).GetProperty("id").GetString();
        var body = new { title = "Ny titel", parameters = scenario.Parameters(scenario.ProviderB.OrganisationId) };

        using var withoutIfMatch = await scenario.Commissioner.Client.PutAsJsonAsync($"/api/contracts/{id}", body);
        using var first = await PutAsync(scenario.Commissioner.Client, $"/api/contracts/{id}", body, "\"1\"");
        using var stale = await PutAsync(scenario.Commissioner.Client, $"/api/contracts/{id}", body, "\"1\"");
        var updated = await ContractScenario.Json(first);

        Assert.Equal(HttpStatusCode.PreconditionRequired, withoutIfMatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"2\"", first.Headers.ETag?.Tag);
        Assert.Equal("Ny titel", updated.GetProperty("title").GetString());
        Assert.Equal([scenario.ProviderB.OrganisationId], updated.GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }

    [Fact]
    public async Task Lifecycle_RefusesEditingAnActiveContract_AndReopeningAClosedOne()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contract = await scenario.ContractAsync();
        var id = contract.GetProperty("id").GetString();

        using var edit = await PutAsync(scenario.Commissioner.Client, $"/api/contracts/{id}", new { parameters = scenario.Parameters() }, "\"2\"");
        using var close = await scenario.Commissioner.Client.PostAsync($"/api/contracts/{id}/close", null);
        using var activateAgain = await scenario.Commissioner.Client.PostAsync($"/api/contracts/{id}/activate", null);
        using var closeByProvider = await scenario.ProviderA.Client.PostAsync($"/api/contracts/{id}/close", null);

        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        Assert.Equal("closed", (await ContractScenario.Json(close)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, activateAgain.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, closeByProvider.StatusCode);
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string url, object body, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return client.SendAsync(request);
    }
}
