using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Privacy;
using ConfigurableContracts.Server.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace ConfigurableContracts.Server.Tests.Privacy;

/// <summary>
/// Retention and the data subject export through the whole app, on a clock the test sets: contracts close on
/// 2022-06-01 (Stockholm) and their participant data is due for removal from 2027-06-01.
/// </summary>
public sealed class PrivacyEndpointTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    private static readonly DateTimeOffset Start = new(2022, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Retention_RemovesTheParticipantsOnTheAnniversary_NotTheDayBefore_AndKeepsReportAndPayments()
    {
        var time = new FakeTimeProvider(Start);
        using var app = WithClock(time);
        await using var world = await EvaluatedAsync(app);
        var contract = world.ContractId;
        using var admin = Client(app, server.AdminKey);
        var decisions = await ContractScenario.Json(await world.Commissioner.GetAsync($"/api/contracts/{contract}/decisions?current=false"));
        using (var closed = await world.Commissioner.PostAsync($"/api/contracts/{contract}/close", null))
        {
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        }

        time.SetUtcNow(new DateTimeOffset(2027, 5, 31, 21, 59, 59, TimeSpan.Zero)); // 23:59:59 on 31 May in Stockholm
        var reportBefore = await world.Commissioner.GetStringAsync($"/api/contracts/{contract}/outcomes?asOf=2027-06-01");
        var providerReportBefore = await world.ProviderA.GetStringAsync($"/api/contracts/{contract}/outcomes?asOf=2027-06-01");
        var paymentsBefore = await ContractScenario.Json(await world.Commissioner.GetAsync($"/api/contracts/{contract}/payments?period=2022-06"));
        var dueDayBefore = await ContractScenario.Json(await admin.GetAsync("/api/retention/due"));
        var runDayBefore = await app.Services.GetRequiredService<RetentionSweep>().RunAsync();
        var participantsDayBefore = await ContractScenario.Json(await world.Commissioner.GetAsync($"/api/contracts/{contract}/participants"));

        time.SetUtcNow(new DateTimeOffset(2027, 5, 31, 22, 0, 0, TimeSpan.Zero)); // 00:00 on 1 June in Stockholm
        var due = await ContractScenario.Json(await admin.GetAsync("/api/retention/due"));
        var run = await app.Services.GetRequiredService<RetentionSweep>().RunAsync();
        var participantsAfter = await ContractScenario.Json(await world.Commissioner.GetAsync($"/api/contracts/{contract}/participants"));
        var reportAfter = await world.Commissioner.GetStringAsync($"/api/contracts/{contract}/outcomes?asOf=2027-06-01");
        var providerReportAfter = await world.ProviderA.GetStringAsync($"/api/contracts/{contract}/outcomes?asOf=2027-06-01");
        var paymentsAfter = await ContractScenario.Json(await world.Commissioner.GetAsync($"/api/contracts/{contract}/payments?period=2022-06"));
        using var replay = await world.Commissioner.GetAsync($"/api/decisions/{decisions[0].GetProperty("id").GetString()}/replay");
        var gone = await ContractScenario.Json(replay);
        using var export = await world.Commissioner.GetAsync($"/api/contracts/{contract}/participants/A-one/export");

        Assert.Equal(0, dueDayBefore.GetArrayLength());
        Assert.Empty(runDayBefore.Removed);
        Assert.Equal(2, participantsDayBefore.GetArrayLength());
        Assert.Equal(contract, Assert.Single(due.EnumerateArray()).GetProperty("contractId").GetString());
        Assert.Equal("2027-06-01", due[0].GetProperty("removableFrom").GetString());
        Assert.Equal(contract, Assert.Single(run.Removed).ContractId);
        Assert.Equal(0, participantsAfter.GetArrayLength());
        Assert.Equal(reportBefore, reportAfter);
        Assert.Equal(providerReportBefore, providerReportAfter);
        Assert.Equal(paymentsBefore.GetProperty("net").GetDecimal(), paymentsAfter.GetProperty("net").GetDecimal());
        Assert.NotEqual(0m, paymentsAfter.GetProperty("net").GetDecimal());
        Assert.Equal(EntryIds(paymentsBefore), EntryIds(paymentsAfter));
        Assert.Equal(HttpStatusCode.Gone, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.Contains("removed under retention on 2027-06-01", gone.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        Assert.True((await app.Services.GetRequiredService<AuditLog>().VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task RetentionJob_RemovesTheDueContract_WhenQuartzFiresIt()
    {
        var time = new FakeTimeProvider(Start);
        using var app = WithClock(time);
        await using var world = await EvaluatedAsync(app);
        (await world.Commissioner.PostAsync($"/api/contracts/{world.ContractId}/close", null)).EnsureSuccessStatusCode();
        time.SetUtcNow(new DateTimeOffset(2027, 6, 1, 8, 0, 0, TimeSpan.Zero));
        var audit = app.Services.GetRequiredService<AuditLog>();

        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(RetentionJob.Key);
        var entries = await WaitForRemovalAuditAsync(audit, world.ContractId);

        Assert.Equal(["", "A-one", "B-one"], entries.Select(e => e.ParticipantPseudonym ?? "").Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(0, (await ContractScenario.Json(await world.Commissioner.GetAsync($"/api/contracts/{world.ContractId}/participants"))).GetArrayLength());
    }

    [Fact]
    public async Task Export_HoldsEveryVersionOfThePseudonym_ForTheCommissionerAndItsAuditor_AndIsAudited()
    {
        var time = new FakeTimeProvider(Start);
        using var app = WithClock(time);
        await using var world = await EvaluatedAsync(app);
        var url = $"/api/contracts/{world.ContractId}/participants/A-one/export";
        var auditorKey = await server.CallerForAsync(world.CommissionerOrganisation, Roles.Auditor);
        using var auditor = Client(app, KeyOf(auditorKey.Client));
        var otherCommissioner = await server.CallerAsync(Roles.Commissioner, "annan-kommun");
        using var other = Client(app, KeyOf(otherCommissioner.Client));

        using var response = await world.Commissioner.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        var exported = JsonDocument.Parse(body).RootElement;
        using var byAuditor = await auditor.GetAsync(url);
        using var byOtherOrganisation = await other.GetAsync(url);
        using var byProvider = await world.ProviderA.GetAsync(url);
        var audit = await app.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(ParticipantPseudonym: "A-one"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("A-one", exported.GetProperty("participant").GetProperty("pseudonym").GetString());
        Assert.Equal(["baseline:1", "followUp3:1", "followUp3:2"], exported.GetProperty("measurements").EnumerateArray()
            .Select(m => $"{m.GetProperty("point").GetString()}:{m.GetProperty("version").GetInt32()}").ToArray());
        Assert.NotEqual(0, exported.GetProperty("decisions").GetArrayLength());
        Assert.All(exported.GetProperty("decisions").EnumerateArray(), d =>
            Assert.Equal("A-one", d.GetProperty("inputSnapshot").GetProperty("participant").GetProperty("pseudonym").GetString()));
        Assert.NotEqual(0, exported.GetProperty("ledger").GetArrayLength());
        Assert.DoesNotContain("B-one", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, byAuditor.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byOtherOrganisation.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byProvider.StatusCode);
        Assert.Equal([200, 200, 404, 403], audit.Where(e => e.Action == nameof(PrivacyEndpoints.ExportParticipant)).Select(e => e.StatusCode).ToArray());
    }

    [Fact]
    public async Task RetentionJob_IsScheduledOnItsCron_InStockholmTime()
    {
        var scheduler = await server.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(RetentionJob.TriggerKey));

        Assert.Equal("0 30 3 * * ?", trigger.CronExpressionString);
        Assert.Equal("Europe/Stockholm", trigger.TimeZone.Id);
        Assert.Equal(RetentionJob.Key, trigger.JobKey);
        Assert.Equal(5, server.Services.GetRequiredService<IOptions<RetentionOptions>>().Value.PeriodYears);
    }

    [Fact]
    public void Startup_Fails_QuotingEveryBadRetentionValue()
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Retention:PeriodYears"] = "0",
            ["Retention:Cron"] = "every night",
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Retention:PeriodYears '0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Retention:Cron 'every night'", error.Message, StringComparison.Ordinal);
    }

    private WebApplicationFactory<Program> WithClock(TimeProvider time) =>
        server.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton(time)));

    private static HttpClient Client(WebApplicationFactory<Program> app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        return client;
    }

    /// <summary>The job runs on Quartz's thread: wait (up to a minute) for its three removal entries (two participants, the contract).</summary>
    private static async Task<List<AuditRecord>> WaitForRemovalAuditAsync(AuditLog audit, string contractId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var entries = (await audit.QueryAsync(new AuditQuery(Limit: 10_000), timeout.Token))
                .Where(e => e.Action == PrivacyAudit.RemovedAction && e.ContractId == contractId).ToList();
            if (entries.Count == 3)
            {
                return entries;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    private static string KeyOf(HttpClient client) => client.DefaultRequestHeaders.GetValues(ApiKeyAuthenticationHandler.HeaderName).Single();

    private static string[] EntryIds(JsonElement statement) =>
        statement.GetProperty("providers").EnumerateArray().SelectMany(p => p.GetProperty("entries").EnumerateArray())
            .Select(e => $"{e.GetProperty("id").GetString()} {e.GetProperty("amount").GetDecimal()}").ToArray();

    /// <summary>
    /// A contract (on the test clock) with A-one of provider A, whose follow-up is corrected once, and B-one of
    /// provider B, evaluated as of 2022-06-01.
    /// </summary>
    private async Task<World> EvaluatedAsync(WebApplicationFactory<Program> app)
    {
        var scenario = await ContractScenario.CreateAsync(server);
        var world = new World(scenario, scenario.Commissioner.OrganisationId,
            Client(app, KeyOf(scenario.Commissioner.Client)), Client(app, KeyOf(scenario.ProviderA.Client)), Client(app, KeyOf(scenario.ProviderB.Client)));
        using (var created = await world.Commissioner.PostAsJsonAsync("/api/contracts", scenario.CreateRequest(scenario.ProviderA.OrganisationId, scenario.ProviderB.OrganisationId)))
        {
            world.ContractId = (await ContractScenario.Json(created)).GetProperty("id").GetString()!;
        }

        (await world.Commissioner.PostAsync($"/api/contracts/{world.ContractId}/activate", null)).EnsureSuccessStatusCode();
        foreach (var (provider, pseudonym, followUps) in new[] { (world.ProviderA, "A-one", new[] { 12, 10 }), (world.ProviderB, "B-one", new[] { 30 }) })
        {
            using var enrolled = await provider.PostAsJsonAsync($"/api/contracts/{world.ContractId}/participants", ContractScenario.Participant(pseudonym));
            var participantId = (await ContractScenario.Json(enrolled)).GetProperty("id").GetString();
            var url = $"/api/contracts/{world.ContractId}/participants/{participantId}/measurements";
            (await provider.PostAsJsonAsync(url, ContractScenario.Measurement(pseudonym, "baseline", "2022-01-12", 20))).EnsureSuccessStatusCode();
            foreach (var score in followUps)
            {
                (await provider.PostAsJsonAsync(url, ContractScenario.Measurement(pseudonym, "followUp3", "2022-04-12", score))).EnsureSuccessStatusCode();
            }
        }

        await app.Services.GetRequiredService<ContractEvaluator>().EvaluateAsync(world.ContractId, "test-run", new DateOnly(2022, 6, 1), null, CancellationToken.None);
        return world;
    }

    private sealed class World(ContractScenario scenario, string commissionerOrganisation, HttpClient commissioner, HttpClient providerA, HttpClient providerB) : IAsyncDisposable
    {
        public string ContractId { get; set; } = "";

        public string CommissionerOrganisation { get; } = commissionerOrganisation;

        public HttpClient Commissioner { get; } = commissioner;

        public HttpClient ProviderA { get; } = providerA;

        public HttpClient ProviderB { get; } = providerB;

        public async ValueTask DisposeAsync()
        {
            Commissioner.Dispose();
            ProviderA.Dispose();
            ProviderB.Dispose();
            await scenario.DisposeAsync();
        }
    }
}
