using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Server.Security;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
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
        await ContractSeeder.AddTinyContractAsync(Connections(_factory), "c-now", participants: 12);

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
        await ContractSeeder.AddTinyContractAsync(Connections(factory), "c-busy", participants: 3);

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
        await ContractSeeder.AddTinyContractAsync(Connections(_factory), "c-draft", participants: 1, status: ContractStatus.Draft);

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

    private static DbConnectionFactory Connections(WebApplicationFactory<Program> factory) => factory.Services.GetRequiredService<DbConnectionFactory>();
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
