using ConfigurableContracts.Core.Templates;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Evaluations;
using ConfigurableContracts.Server.Security;
using Dapper;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Evaluations;

public sealed class EvaluationEndpointsTests : IDisposable
{
    private readonly ServerFactory _factory = new();
    private readonly BlockingEvaluation _evaluation = new();

    public void Dispose()
    {
        _evaluation.Release();
        _factory.Dispose();
    }

    [Fact]
    public async Task RunNow_Answers202WithLocation_AndTheRunSucceeds()
    {
        using var client = AdminClient(_factory);
        await SeedContractAsync(_factory.Services, "c-now", participants: 12);

        using var response = await client.PostAsync("/api/contracts/c-now/evaluations", content: null);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var runId = accepted.GetProperty("id").GetString();
        var finished = await WaitForFinishAsync(client, runId!);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/evaluations/{runId}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal("manual", accepted.GetProperty("trigger").GetString());
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(12, finished.GetProperty("progress").GetProperty("participantsTotal").GetInt32());
        Assert.Equal(12, finished.GetProperty("progress").GetProperty("participantsDone").GetInt32());
        Assert.Equal(100, finished.GetProperty("progress").GetProperty("percent").GetDouble());
        Assert.Equal(12, finished.GetProperty("counts").GetProperty("decisionsWritten").GetInt64()); // one rule, twelve participants
    }

    [Fact]
    public async Task RunNow_Answers409WithTheActiveRun_WhileARunOfTheContractIsRunning()
    {
        using var factory = _factory.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<IContractEvaluation>(_evaluation)));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, _factory.AdminKey);
        await SeedContractAsync(factory.Services, "c-busy", participants: 3);

        using var first = await client.PostAsync("/api/contracts/c-busy/evaluations", content: null);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await _evaluation.Started.WaitAsync(TimeSpan.FromSeconds(30));
        using var second = await client.PostAsync("/api/contracts/c-busy/evaluations", content: null);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        var running = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{firstId}");
        _evaluation.Release();
        var finished = await WaitForFinishAsync(client, firstId!);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/contracts/c-busy/evaluations");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(firstId, problem.GetProperty("runId").GetString());
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(firstId, list.GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task RunNow_Answers404Problem_ForAContractThatIsNotActive()
    {
        using var client = AdminClient(_factory);
        await SeedContractAsync(_factory.Services, "c-draft", participants: 1, status: "draft");

        using var draft = await client.PostAsync("/api/contracts/c-draft/evaluations", content: null);
        using var missing = await client.PostAsync("/api/contracts/no-such/evaluations", content: null);

        Assert.Equal(HttpStatusCode.NotFound, draft.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task List_RejectsAnUnknownStatus_NamingIt()
    {
        using var client = AdminClient(_factory);

        using var response = await client.GetAsync("/api/evaluations?status=done&pageSize=0");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'done'", problem.GetProperty("errors").GetProperty("$.status")[0].GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.pageSize", out _));
    }

    [Fact]
    public async Task Get_Answers404_ForAnUnknownRun()
    {
        using var client = AdminClient(_factory);

        using var response = await client.GetAsync("/api/evaluations/no-such-run");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    // The group has no policy of its own yet; the server's fallback policy wants an authenticated caller.
    private static HttpClient AdminClient(ServerFactory factory)
    {
        factory.CreateClient().Dispose();
        return factory.ClientWithKey(factory.AdminKey);
    }

    private static async Task<JsonElement> WaitForFinishAsync(HttpClient client, string runId)
    {
        for (var i = 0; i < 300; i++)
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}");
            if (run.GetProperty("status").GetString() is "succeeded" or "failed")
            {
                return run;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Run {runId} did not finish within 30 s.");
    }

    /// <summary>
    /// A minimal template stored as a bundle (as if a contract had been created from it): one participant workflow
    /// with one rule, so runs seeded straight into the database evaluate for real.
    /// </summary>
    private static readonly SortedDictionary<string, string> SeededTemplate = new(StringComparer.Ordinal)
    {
        ["schemas/seeded/template.json"] = """
            {"id":"seeded","version":"1.0.0","title":{"en":"Seeded"},
             "schemas":{"contract":"any.schema.json","participant":"any.schema.json","measurement":"any.schema.json"},
             "rules":{"folder":"../../rules/seeded"},
             "workflows":[{"name":"Count","file":"count.json","scope":"participant","inputs":{"participant":"participant","asOf":"date"}}],
             "measurementPlan":{"points":[{"id":"baseline","offsetMonths":0}]}}
            """,
        ["schemas/seeded/any.schema.json"] = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}""",
        ["rules/seeded/count.json"] = """{"WorkflowName":"Count","Rules":[{"RuleName":"Enrolled","Expression":"participant != null"}]}""",
    };

    internal static async Task SeedContractAsync(IServiceProvider services, string contractId, int participants, string status = "active")
    {
        var connections = services.GetRequiredService<DbConnectionFactory>();
        await using var connection = await connections.OpenAsync();
        var at = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var organisation = "org-" + contractId;
        var bundle = TemplateLoader.BundleHash(SeededTemplate);
        await connection.ExecuteAsync("INSERT INTO organisations (id, name, created_at) VALUES (@organisation, 'Org', @at)", new { organisation, at });
        if (await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM template_bundles WHERE hash = @bundle", new { bundle }) == 0)
        {
            await connection.ExecuteAsync(
                "INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES (@bundle, 'seeded', '1.0.0', @files, @at)",
                new { bundle, files = System.Text.Json.JsonSerializer.Serialize(SeededTemplate), at });
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version, created_at, updated_at, activated_at)
            VALUES (@contractId, @organisation, 'seeded', '1.0.0', @bundle, 'T', '{}', @status, 1, @at, @at, @at)
            """, new { contractId, organisation, bundle, status, at });
        await connection.ExecuteAsync("INSERT INTO contract_providers (contract_id, provider_id) VALUES (@contractId, @organisation)", new { contractId, organisation });
        for (var i = 0; i < participants; i++)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
                VALUES (@id, @contractId, @organisation, @pseudonym, @enrolled, '{}', 1, @at, 'seed', @at)
                """, new { id = $"{contractId}-p{i}", contractId, organisation, pseudonym = $"P-{i:D5}", enrolled = new DateOnly(2025, 9, 1), at });
        }
    }
}

/// <summary>An evaluation that holds its run open until the test releases it.</summary>
internal sealed class BlockingEvaluation : IContractEvaluation
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Started => _started.Task;

    public void Release() => _release.TrySetResult();

    public async Task<EvaluationOutcome> RunAsync(string contractId, EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken)
    {
        progress.Report(new EvaluationProgress(0, 3));
        _started.TrySetResult();
        await _release.Task.WaitAsync(cancellationToken);
        return new EvaluationOutcome(3, new Dictionary<string, long> { ["decisionsWritten"] = 0 });
    }
}
