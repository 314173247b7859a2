using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Server.Tests.Contracts;

namespace ConfigurableContracts.Server.Tests.Measurements;

public sealed class MeasurementEndpointTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task Correction_AddsAVersion_LatestByDefault_EveryVersionOnRequest()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participant = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-0001", enrolled: "2022-01-10");
        var url = $"/api/contracts/{contractId}/participants/{participant}/measurements";

        using var first = await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-0001", "baseline", "2022-01-12", 20));
        using var correction = await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-0001", "baseline", "2022-01-12", 18));
        using var followUp = await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-0001", "followUp3", "2022-04-01", 15));
        var latest = await scenario.Commissioner.Client.GetFromJsonAsync<JsonElement[]>(url);
        var history = await scenario.ProviderA.Client.GetFromJsonAsync<JsonElement[]>(url + "?history=true");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(2, (await ContractScenario.Json(correction)).GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.Created, followUp.StatusCode);
        Assert.Equal([("baseline", 2, 18), ("followUp3", 1, 15)], latest!.Select(Summary));
        Assert.Equal([("baseline", 1, 20), ("baseline", 2, 18), ("followUp3", 1, 15)], history!.Select(Summary));
        Assert.All(history!, m => Assert.Equal(scenario.ProviderA.KeyId, m.GetProperty("recordedBy").GetString()));
    }

    [Fact]
    public async Task Record_RefusesAPointOutsideThePlan_AndADateOutsideItsWindow()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participant = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-0002", enrolled: "2022-01-10");
        var url = $"/api/contracts/{contractId}/participants/{participant}/measurements";

        using var unknownPoint = await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-0002", "followUp12", "2023-01-10", 1));
        using var tooLate = await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-0002", "followUp3", "2022-05-11", 1));
        using var otherPseudonym = await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-9999", "baseline", "2022-01-10", 1));
        var reason = (await ContractScenario.Json(tooLate)).GetProperty("errors").GetProperty("$.date")[0].GetString();

        Assert.Equal(["$.point"], await ContractScenario.ErrorPathsAsync(unknownPoint));
        Assert.Contains("2022-03-27 to 2022-05-10 (due 2022-04-10)", reason, StringComparison.Ordinal);
        Assert.Equal(["$.pseudonym"], await ContractScenario.ErrorPathsAsync(otherPseudonym));
    }

    [Fact]
    public async Task AProvider_CannotRecordOrReadAnotherProvidersMeasurements()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var ofA = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-A");
        var url = $"/api/contracts/{contractId}/participants/{ofA}/measurements";
        await scenario.ProviderA.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-A", "baseline", "2022-01-10", 3));

        using var write = await scenario.ProviderB.Client.PostAsJsonAsync(url, ContractScenario.Measurement("HV-A", "baseline", "2022-01-10", 40));
        using var read = await scenario.ProviderB.Client.GetAsync(url + "?history=true");
        var stillOne = await scenario.ProviderA.Client.GetFromJsonAsync<JsonElement[]>(url + "?history=true");

        Assert.Equal(HttpStatusCode.NotFound, write.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Single(stillOne!);
    }

    [Fact]
    public async Task BulkRecord_AnswersPerLine_MatchingOnlyTheCallersOwnPseudonyms()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var mine = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-MINE", enrolled: "2022-01-10");
        await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "HV-THEIRS", enrolled: "2022-01-10");
        string[] lines =
        [
            """{"pseudonym":"HV-MINE","point":"baseline","date":"2022-01-11","score":10}""",
            """{"pseudonym":"HV-THEIRS","point":"baseline","date":"2022-01-11","score":10}""",
            """{"pseudonym":"HV-MINE","point":"followUp3","date":"2022-01-11","score":10}""",
            """{"pseudonym":"HV-MINE","point":"baseline","date":"2022-01-12","score":99}""",
            """{"pseudonym":"HV-MINE","point":"baseline","date":"2022-01-12","score":9}""",
        ];

        using var response = await scenario.ProviderA.Client.PostAsync($"/api/contracts/{contractId}/measurements:bulk", ContractScenario.JsonLines(lines));
        var result = await ContractScenario.Json(response);
        var history = await scenario.ProviderA.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants/{mine}/measurements?history=true");

        var statuses = result.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("line").GetInt32(), l.GetProperty("status").GetString()));
        Assert.Equal([(1, "accepted"), (2, "rejected"), (3, "rejected"), (4, "rejected"), (5, "accepted")], statuses);
        var errors = result.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("status").GetString() == "rejected")
            .Select(l => l.GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(["$.pseudonym", "$.date", "$.score"], errors);
        Assert.Equal([("baseline", 1, 10), ("baseline", 2, 9)], history!.Select(Summary));
    }

    [Fact]
    public async Task Record_Conflicts_OnceTheContractIsClosed()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participant = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-0003");
        await scenario.Commissioner.Client.PostAsync($"/api/contracts/{contractId}/close", null);

        using var response = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants/{participant}/measurements", ContractScenario.Measurement("HV-0003", "baseline", "2022-01-10", 1));
        var history = await scenario.Commissioner.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants/{participant}/measurements");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Empty(history!);
    }

    private static (string?, int, int) Summary(JsonElement measurement) => (
        measurement.GetProperty("point").GetString(),
        measurement.GetProperty("version").GetInt32(),
        measurement.GetProperty("document").GetProperty("score").GetInt32());
}
