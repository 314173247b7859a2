using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;

namespace ConfigurableContracts.Server.Tests.Participants;

public sealed class ParticipantEndpointTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task Enrol_RecordsTheCallingProvider_AndTheRecordAsSent()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString();

        using var response = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants", ContractScenario.Participant("HV-0001"));
        var participant = await ContractScenario.Json(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal((scenario.ProviderA.OrganisationId, "HV-0001", "2022-01-10", scenario.ProviderA.KeyId), (
            participant.GetProperty("providerId").GetString(),
            participant.GetProperty("pseudonym").GetString(),
            participant.GetProperty("enrolmentDate").GetString(),
            participant.GetProperty("createdBy").GetString()));
        Assert.Equal(7, participant.GetProperty("record").GetProperty("schoolYear").GetInt32());
    }

    [Fact]
    public async Task Enrol_RefusesAPersonalIdentityNumber_AtItsJsonPath()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString();

        using var response = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants", ContractScenario.Participant("HV-0002", notes: "Mamma ringde, pnr 811218-9876"));
        var problem = await ContractScenario.Json(response);

        Assert.Equal(["$.notes"], await ContractScenario.ErrorPathsAsync(response));
        Assert.Contains("personal identity number", problem.GetProperty("errors").GetProperty("$.notes")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await scenario.Commissioner.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants") ?? []);
    }

    [Fact]
    public async Task Enrol_ReportsSchemaErrorsAndAForeignProvider_ByJsonPath()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString();

        using var response = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants",
            new { pseudonym = "HV-0003", enrolmentDate = "2022-01-10", schoolYear = 12, providerId = scenario.ProviderB.OrganisationId });

        Assert.Equal(["$.providerId", "$.schoolYear"], await ContractScenario.ErrorPathsAsync(response));
    }

    [Fact]
    public async Task Enrol_ConflictsOnADuplicatePseudonym_AndOnADraftContract()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var active = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var draft = (await scenario.ContractAsync(activate: false)).GetProperty("id").GetString();
        await ContractScenario.EnrolAsync(scenario.ProviderA, active, "HV-0004");

        using var duplicate = await scenario.ProviderB.Client.PostAsJsonAsync($"/api/contracts/{active}/participants", ContractScenario.Participant("HV-0004"));
        using var underDraft = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{draft}/participants", ContractScenario.Participant("HV-0005"));
        using var notNamed = await scenario.Outsider.Client.PostAsJsonAsync($"/api/contracts/{active}/participants", ContractScenario.Participant("HV-0006"));

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, underDraft.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notNamed.StatusCode);
    }

    [Fact]
    public async Task Providers_SeeOnlyTheirOwnParticipants_WhileTheCommissionerSeesAll()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        using var auditor = await server.CallerForAsync(scenario.Commissioner.OrganisationId, Roles.Auditor);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var ofA = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-A");
        await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "HV-B");

        using var guessed = await scenario.ProviderB.Client.GetAsync($"/api/contracts/{contractId}/participants/{ofA}");
        var seenByB = await scenario.ProviderB.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants");
        var seenByCommissioner = await scenario.Commissioner.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants");
        var seenByAuditor = await auditor.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants");
        using var outsider = await scenario.Outsider.Client.GetAsync($"/api/contracts/{contractId}/participants");

        Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);
        Assert.Equal(["HV-B"], seenByB!.Select(p => p.GetProperty("pseudonym").GetString()));
        Assert.Equal(["HV-A", "HV-B"], seenByCommissioner!.Select(p => p.GetProperty("pseudonym").GetString()));
        Assert.Equal(2, seenByAuditor!.Length);
        Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
    }

    [Fact]
    public async Task BulkEnrol_AnswersPerLine_AndWritesEveryGoodLine()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-0010");
        string[] lines =
        [
            """{"pseudonym":"HV-0011","enrolmentDate":"2022-01-10","schoolYear":7}""",
            """{"pseudonym":"HV-0012","enrolmentDate":"2022-01-10","schoolYear":7,"notes":"191212121212"}""",
            """{"pseudonym":"HV-0013", broken""",
            "",
            """{"pseudonym":"HV-0011","enrolmentDate":"2022-01-11","schoolYear":8}""",
            """{"pseudonym":"HV-0010","enrolmentDate":"2022-01-10","schoolYear":8}""",
            """{"pseudonym":"HV-0014","enrolmentDate":"2022-01-12","schoolYear":9}""",
        ];

        using var response = await scenario.ProviderA.Client.PostAsync($"/api/contracts/{contractId}/participants:bulk", ContractScenario.JsonLines(lines));
        var result = await ContractScenario.Json(response);
        var listed = await scenario.ProviderA.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 4), (result.GetProperty("accepted").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var byLine = result.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("line").GetInt32());
        Assert.Equal([1, 2, 3, 5, 6, 7], byLine.Keys);
        Assert.Equal("accepted", byLine[1].GetProperty("status").GetString());
        Assert.Equal("$.notes", byLine[2].GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal("$", byLine[3].GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Contains("line 1", byLine[5].GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("$.pseudonym", byLine[6].GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(byLine[7].GetProperty("id").GetString(), listed!.Single(p => p.GetProperty("pseudonym").GetString() == "HV-0014").GetProperty("id").GetString());
        Assert.Equal(["HV-0010", "HV-0011", "HV-0014"], listed!.Select(p => p.GetProperty("pseudonym").GetString()));
    }

    [Fact]
    public async Task Correct_ReplacesTheRecordWithIfMatch_ButKeepsPseudonymAndEnrolmentDate()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var id = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-0020");
        var url = $"/api/contracts/{contractId}/participants/{id}";

        using var withoutIfMatch = await scenario.ProviderA.Client.PutAsJsonAsync(url, ContractScenario.Participant("HV-0020", notes: "slutade"));
        using var moved = await PutAsync(scenario.ProviderA.Client, url, ContractScenario.Participant("HV-0020", enrolled: "2022-02-01"), "\"1\"");
        using var byOther = await PutAsync(scenario.ProviderB.Client, url, ContractScenario.Participant("HV-0020", notes: "x"), "\"1\"");
        using var corrected = await PutAsync(scenario.ProviderA.Client, url, ContractScenario.Participant("HV-0020", notes: "slutade"), "\"1\"");
        using var stale = await PutAsync(scenario.ProviderA.Client, url, ContractScenario.Participant("HV-0020", notes: "igen"), "\"1\"");
        var read = await scenario.Commissioner.Client.GetFromJsonAsync<JsonElement>(url);

        Assert.Equal(HttpStatusCode.PreconditionRequired, withoutIfMatch.StatusCode);
        Assert.Equal(["$.enrolmentDate"], await ContractScenario.ErrorPathsAsync(moved));
        Assert.Equal(HttpStatusCode.NotFound, byOther.StatusCode);
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.Equal("\"2\"", corrected.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("slutade", read.GetProperty("record").GetProperty("notes").GetString());
    }

    [Fact]
    public async Task BulkEnrol_RefusesOtherContentTypes()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString();

        using var response = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants:bulk", new[] { ContractScenario.Participant("HV-1") });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string url, object body, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Parse(ifMatch));
        return client.SendAsync(request);
    }
}
