using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Outcomes;

public sealed class OutcomeEndpointTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    /// <summary>A contract with one improving participant of provider A and one not improving of provider B, evaluated.</summary>
    private async Task<(ContractScenario Scenario, string ContractId)> EvaluatedContractAsync()
    {
        var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        foreach (var (provider, pseudonym, followUp) in new[] { (scenario.ProviderA, "A-one", 10), (scenario.ProviderB, "B-one", 30) })
        {
            var participantId = await ContractScenario.EnrolAsync(provider, contractId, pseudonym);
            foreach (var (point, date, score) in new[] { ("baseline", "2022-01-12", 20), ("followUp3", "2022-04-12", followUp) })
            {
                using var measured = await provider.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants/{participantId}/measurements", ContractScenario.Measurement(pseudonym, point, date, score));
                Assert.Equal(HttpStatusCode.Created, measured.StatusCode);
            }
        }

        var evaluator = server.Services.GetRequiredService<ContractEvaluator>();
        await evaluator.EvaluateAsync(contractId, "test-run", new DateOnly(2022, 6, 1), null, CancellationToken.None);
        return (scenario, contractId);
    }

    [Fact]
    public async Task Decisions_AreScopedToTheProvidersOwnParticipants()
    {
        var (scenario, contractId) = await EvaluatedContractAsync();
        await using var _ = scenario;

        var commissionerView = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/decisions"));
        var providerView = await ContractScenario.Json(await scenario.ProviderA.Client.GetAsync($"/api/contracts/{contractId}/decisions"));
        using var outsider = await scenario.Outsider.Client.GetAsync($"/api/contracts/{contractId}/decisions");

        Assert.Equal(4, commissionerView.GetArrayLength());
        Assert.All(providerView.EnumerateArray(), d => Assert.Equal("A-one", d.GetProperty("pseudonym").GetString()));
        Assert.Equal(2, providerView.GetArrayLength());
        Assert.Equal("[]", await outsider.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Replay_IsIdentical_AndHiddenFromOtherProviders()
    {
        var (scenario, contractId) = await EvaluatedContractAsync();
        await using var _ = scenario;
        var decisions = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/decisions?participant=A-one"));
        var id = decisions[0].GetProperty("id").GetString();

        var replay = await ContractScenario.Json(await scenario.ProviderA.Client.GetAsync($"/api/decisions/{id}/replay"));
        using var hidden = await scenario.ProviderB.Client.GetAsync($"/api/decisions/{id}/replay");

        Assert.True(replay.GetProperty("identical").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task PaymentStatement_ShowsPendingCharges_UntilApproved_AndExportsCsv()
    {
        var (scenario, contractId) = await EvaluatedContractAsync();
        await using var _ = scenario;

        var before = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06"));
        using var review = await scenario.Commissioner.Client.PutAsJsonAsync(
            $"/api/contracts/{contractId}/payments/2022-06/reviews/{scenario.ProviderA.OrganisationId}", new { status = "approved", note = "checked" });
        var after = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06"));
        var csv = await scenario.Commissioner.Client.GetStringAsync($"/api/contracts/{contractId}/payments?period=2022-06&format=csv");
        using var providerReview = await scenario.ProviderA.Client.PutAsJsonAsync(
            $"/api/contracts/{contractId}/payments/2022-06/reviews/{scenario.ProviderA.OrganisationId}", new { status = "approved" });

        Assert.Equal(8000m, before.GetProperty("net").GetDecimal());
        Assert.Equal(0m, before.GetProperty("released").GetDecimal());
        Assert.Equal("pending", before.GetProperty("providers")[0].GetProperty("release").GetString());
        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Equal(8000m, after.GetProperty("released").GetDecimal());
        Assert.StartsWith("contract,period,provider,release,entry", csv, StringComparison.Ordinal);
        Assert.Contains(",released,", csv, StringComparison.Ordinal);
        Assert.Contains(",8000.00,8000.00,SEK,", csv, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, providerReview.StatusCode);
    }

    [Fact]
    public async Task PaymentStatement_RefusesABadPeriod_WithTheParameterNamed()
    {
        var (scenario, contractId) = await EvaluatedContractAsync();
        await using var _ = scenario;

        using var response = await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/payments?period=June");

        Assert.Equal(["period"], await ContractScenario.ErrorPathsAsync(response));
    }

    [Fact]
    public async Task PaymentStatement_PagesItsEntries_ByCursor_WithThePeriodsTotalsOnEveryPage()
    {
        var (scenario, contractId) = await EvaluatedContractAsync();
        await using var _ = scenario;
        var second = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "A-two");
        foreach (var (point, date, score) in new[] { ("baseline", "2022-01-12", 20), ("followUp3", "2022-04-12", 10) })
        {
            using var measured = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants/{second}/measurements", ContractScenario.Measurement("A-two", point, date, score));
            Assert.Equal(HttpStatusCode.Created, measured.StatusCode);
        }

        await server.Services.GetRequiredService<ContractEvaluator>().EvaluateAsync(contractId, "test-run-2", new DateOnly(2022, 6, 1), null, CancellationToken.None);
        var client = scenario.Commissioner.Client;

        var whole = await ContractScenario.Json(await client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06"));
        using var firstResponse = await client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06&limit=1");
        var first = await ContractScenario.Json(firstResponse);
        var next = first.GetProperty("nextAfter").GetInt64();
        var last = await ContractScenario.Json(await client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06&limit=1&after={next}"));
        using var bad = await client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06&limit=0&after=-1");

        static string[] Ids(JsonElement statement) =>
            [.. statement.GetProperty("providers").EnumerateArray().SelectMany(p => p.GetProperty("entries").EnumerateArray()).Select(e => e.GetProperty("id").GetString()!)];
        Assert.Equal(2, Ids(whole).Length);
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("nextAfter").ValueKind);
        Assert.Equal([Ids(whole)[0]], Ids(first));
        Assert.Equal(next.ToString(System.Globalization.CultureInfo.InvariantCulture), firstResponse.Headers.GetValues("X-Next-After").Single());
        Assert.Equal([Ids(whole)[1]], Ids(last));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("nextAfter").ValueKind);
        Assert.All(new[] { first, last }, page => Assert.Equal(whole.GetProperty("net").GetDecimal(), page.GetProperty("net").GetDecimal()));
        Assert.Equal(["after", "limit"], await ContractScenario.ErrorPathsAsync(bad));
    }

    [Fact]
    public async Task OutcomeReport_CountsStatusesPerProvider_AndOverdueFollowUps()
    {
        var (scenario, contractId) = await EvaluatedContractAsync();
        await using var _ = scenario;
        await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "B-late", enrolled: "2022-01-20");

        var report = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/outcomes?asOf=2022-06-01"));

        var improved = report.GetProperty("outcomes").EnumerateArray().Where(o => o.GetProperty("outcome").GetString() == "Improved").ToList();
        Assert.Equal(1, improved.Single(o => o.GetProperty("providerId").GetString() == scenario.ProviderA.OrganisationId).GetProperty("achieved").GetInt32());
        Assert.Equal(1, improved.Single(o => o.GetProperty("providerId").GetString() == scenario.ProviderB.OrganisationId).GetProperty("notAchieved").GetInt32());
        var overdue = report.GetProperty("overdue").EnumerateArray().Select(o => (o.GetProperty("providerId").GetString(), o.GetProperty("point").GetString(), o.GetProperty("overdue").GetInt32())).ToList();
        Assert.Equal([(scenario.ProviderB.OrganisationId, "baseline", 1), (scenario.ProviderB.OrganisationId, "followUp3", 1)], overdue);
        Assert.False(report.GetProperty("final").GetBoolean());
    }
}
