using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Security;

public sealed class ApiAuditTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    private AuditLog Log => server.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task ReadingAParticipant_IsAudited_WithWhoWhatWhichAndWhy()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participantId = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-READ1");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/contracts/{contractId}/participants/{participantId}");
        request.Headers.Add("X-Purpose", "uppföljning 3 månader");

        using var response = await scenario.ProviderA.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = (await EntriesByAsync(scenario.ProviderA)).Last();
        Assert.Equal(
            (scenario.ProviderA.KeyId, scenario.ProviderA.OrganisationId, "provider", "api-key"),
            (entry.Subject, entry.OrganisationId, entry.Role, entry.Authentication));
        Assert.Equal(
            ("GetParticipant", "GET /api/contracts/{contractId}/participants/{participantId}", contractId, "HV-READ1"),
            (entry.Action, entry.Endpoint, entry.ContractId, entry.ParticipantPseudonym));
        Assert.Equal(("uppföljning 3 månader", "allowed", 200), (entry.Purpose, entry.Outcome, entry.StatusCode));
        Assert.Equal($"participantId={participantId}", entry.Resource);
        Assert.NotNull(entry.RequestId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadingMeasurements_NamesTheRoutesParticipant_NotOneTheQueryStringClaims(bool participantExists)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participantId = participantExists ? await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-ROUTE1") : "no-such-participant";

        using var response = await scenario.ProviderA.Client.GetAsync(
            $"/api/contracts/{contractId}/participants/{participantId}/measurements?participant=HV-FORGED");

        Assert.Equal(participantExists ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
        var entry = (await EntriesByAsync(scenario.ProviderA)).Last();
        Assert.Equal(("ListMeasurements", participantExists ? "HV-ROUTE1" : null), (entry.Action, entry.ParticipantPseudonym));
    }

    [Fact]
    public async Task RefusedRequests_AreAudited_AsDeniedNotFoundAndUnauthenticated()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var theirs = await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "HV-THEIRS1");
        using var anonymous = server.CreateClient();

        using var notFound = await scenario.ProviderA.Client.GetAsync($"/api/contracts/{contractId}/participants/{theirs}");
        using var denied = await scenario.ProviderA.Client.PostAsJsonAsync("/api/contracts", scenario.CreateRequest(scenario.ProviderA.OrganisationId));
        using var unauthenticated = await anonymous.GetAsync($"/api/contracts/{contractId}/participants/{theirs}");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized), (notFound.StatusCode, denied.StatusCode, unauthenticated.StatusCode));
        var entries = await EntriesByAsync(scenario.ProviderA);
        Assert.Contains(entries, e => e is { Outcome: "not-found", StatusCode: 404, ParticipantPseudonym: "HV-THEIRS1" } && e.ContractId == contractId);
        Assert.Contains(entries, e => e is { Outcome: "denied", StatusCode: 403, Action: "CreateContract" });
        var all = await Log.QueryAsync(new AuditQuery(ParticipantPseudonym: "HV-THEIRS1"));
        Assert.Contains(all, e => e is { Subject: "anonymous", Outcome: "unauthenticated", StatusCode: 401, OrganisationId: null });
    }

    [Fact]
    public async Task WritesRoutingRefuses_ForTheirContentTypeOrMethod_AreAuditedUnderTheirPath()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var path = $"/api/contracts/{contractId}/participants";

        using var wrongType = await scenario.ProviderA.Client.PostAsync(path, new StringContent("""{"pseudonym":"HV-TYPE1"}""", System.Text.Encoding.UTF8, "text/plain"));
        using var wrongMethod = await scenario.ProviderA.Client.PatchAsync(path, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, HttpStatusCode.MethodNotAllowed), (wrongType.StatusCode, wrongMethod.StatusCode));
        var entries = await EntriesByAsync(scenario.ProviderA);
        Assert.Contains(entries, e => e is { Outcome: "invalid", StatusCode: 415 } && e.Endpoint == $"POST {path}");
        Assert.Contains(entries, e => e is { Outcome: "invalid", StatusCode: 405 } && e.Endpoint == $"PATCH {path}");
    }

    [Fact]
    public async Task BulkUpload_IsOneEntryForTheRequestAndOnePerCommittedChunk_NamingEveryParticipantMeasuredAndTheCounts()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-BULK1");
        await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-BULK2");
        await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "HV-BULKB");
        string[] lines =
        [
            """{"pseudonym":"HV-BULK1","point":"baseline","date":"2022-01-11","score":10}""",
            """{"pseudonym":"HV-BULK2","point":"baseline","date":"2022-01-11","score":11}""",
            """{"pseudonym":"HV-BULKB","point":"baseline","date":"2022-01-11","score":12}""",
        ];
        var before = (await EntriesByAsync(scenario.ProviderA)).Count;

        using var response = await scenario.ProviderA.Client.PostAsync($"/api/contracts/{contractId}/measurements:bulk", ContractScenario.JsonLines(lines));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var uploadId = (await ContractScenario.Json(response)).GetProperty("upload").GetProperty("id").GetString();
        var entries = await EntriesByAsync(scenario.ProviderA);
        // The chunk's entry commits with its rows (so a crash cannot leave them unaudited); the request's follows.
        var (chunk, entry) = (entries.Skip(before).First(), entries.Skip(before).Last());
        Assert.Equal(2, entries.Count - before);
        Assert.Equal(["HV-BULK1", "HV-BULK2"], chunk.Pseudonyms);
        Assert.Equal(("committed", $"upload={uploadId} lines=1-3 accepted=2 unchanged=0 rejected=1", contractId), (chunk.Outcome, chunk.Detail, chunk.ContractId));
        Assert.Equal(["HV-BULK1", "HV-BULK2"], entry.Pseudonyms);
        Assert.Equal($"lines=3 accepted=2 rejected=1 upload={uploadId}", entry.Detail);
        Assert.Null(entry.ParticipantPseudonym);
        Assert.DoesNotContain("score", JsonSerializer.Serialize(entry) + JsonSerializer.Serialize(chunk), StringComparison.Ordinal);
        Assert.Equal([chunk.Sequence, entry.Sequence], (await Log.QueryAsync(new AuditQuery(ParticipantPseudonym: "HV-BULK2", AfterSequence: chunk.Sequence - 1))).Select(e => e.Sequence));
    }

    [Fact]
    public async Task AuditLog_ShowsAnAuditor_ItsOwnContractsOnly_FilteredPagedAndAsCsv_AndAuditsTheReading()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participantId = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-AUD1");
        for (var i = 0; i < 3; i++)
        {
            (await scenario.ProviderA.Client.GetAsync($"/api/contracts/{contractId}/participants/{participantId}")).Dispose();
        }

        using var auditor = await server.CallerForAsync(scenario.Commissioner.OrganisationId, Roles.Auditor);
        using var otherAuditor = await server.CallerAsync(Roles.Auditor, "annan-kommun");
        var url = $"/api/audit?participant=HV-AUD1&organisation={scenario.ProviderA.OrganisationId}";

        var first = await auditor.Client.GetFromJsonAsync<JsonElement>(url + "&limit=2");
        var second = await auditor.Client.GetFromJsonAsync<JsonElement>(url + $"&limit=2&after={first.GetProperty("next").GetInt64()}");
        var elsewhere = await otherAuditor.Client.GetFromJsonAsync<JsonElement>(url);
        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, url);
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        using var csv = await auditor.Client.SendAsync(csvRequest);
        var csvByQuery = await auditor.Client.GetStringAsync(url + "&format=csv");
        using var provider = await scenario.ProviderA.Client.GetAsync(url);

        // The enrolment and three reads: two on the first page, two on the second.
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(2, second.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        Assert.All(first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()),
            e => Assert.Equal(contractId, e.GetProperty("contractId").GetString()));
        Assert.Equal(0, elsewhere.GetProperty("items").GetArrayLength());
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,occurred_at,subject", rows[0], StringComparison.Ordinal);
        Assert.Equal(5, rows.Length);
        Assert.Equal(rows, csvByQuery.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(HttpStatusCode.Forbidden, provider.StatusCode);
        var reads = await EntriesByAsync(auditor);
        Assert.Equal(4, reads.Count(e => e is { Action: "ListAuditEntries", ParticipantPseudonym: "HV-AUD1", Outcome: "allowed" }));
    }

    [Fact]
    public async Task UnreadablePurpose_IsRefused_WithTheHeaderNamed()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/contracts/{contractId}/participants");
        request.Headers.Add("X-Purpose", new string('x', 201));

        using var response = await scenario.ProviderA.Client.SendAsync(request);

        Assert.Equal(["X-Purpose"], await ContractScenario.ErrorPathsAsync(response));
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresThePurposeHeader_OnParticipantDataReadsOnly()
    {
        using var client = server.CreateClient();

        var paths = (await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json")).GetProperty("paths");

        static bool TakesPurpose(JsonElement operation) =>
            operation.TryGetProperty("parameters", out var parameters) && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "X-Purpose");
        Assert.True(TakesPurpose(paths.GetProperty("/api/contracts/{contractId}/participants/{participantId}").GetProperty("get")));
        Assert.True(TakesPurpose(paths.GetProperty("/api/decisions/{decisionId}").GetProperty("get")));
        Assert.False(TakesPurpose(paths.GetProperty("/api/templates").GetProperty("get")));
    }

    [Fact]
    public async Task Requests_KeepTheChainIntact_AndNoEntryHoldsASecret()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        using var admin = server.ClientWithKey(server.AdminKey);
        using var created = await admin.PostAsJsonAsync($"/api/organisations/{scenario.ProviderA.OrganisationId}/keys", new { role = "provider", label = "secret-label" });
        var secret = (await ContractScenario.Json(created)).GetProperty("secret").GetString()!;

        var verification = await Log.VerifyAsync();
        var everything = JsonSerializer.Serialize(await Log.QueryAsync(new AuditQuery(Limit: 10_000)));

        Assert.True(verification.IsIntact, verification.Reason);
        Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(server.AdminKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-label", everything, StringComparison.Ordinal);
    }

    private async Task<List<AuditRecord>> EntriesByAsync(TestCaller caller) =>
        (await Log.QueryAsync(new AuditQuery(OrganisationId: caller.OrganisationId, Limit: 10_000))).Where(e => e.Subject == caller.KeyId).ToList();
}
