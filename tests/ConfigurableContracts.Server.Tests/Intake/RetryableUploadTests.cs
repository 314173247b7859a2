using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Server.Tests.Contracts;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Intake;

/// <summary>
/// Bulk uploads a client can retry (docs/api.md, "Retrying an upload"): the Idempotency-Key or the body's SHA-256
/// names an upload per organisation and contract; a retry writes only what was not committed, a complete upload is
/// replayed, the same key with another body is refused, and a re-sent identical line is never a correction.
/// </summary>
public sealed class RetryableUploadTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task SameKeyAgain_AfterACompleteUpload_WritesNothing_AndAnswersAsTheFirstTime()
    {
        var (scenario, contractId) = await ContractWithParticipantsAsync("HV-R1", "HV-R2");
        await using var _ = scenario;
        string[] lines = [Measurement("HV-R1", 10), Measurement("HV-R2", 11), Measurement("HV-NOPE", 12)];

        using var first = await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, "key-replay-1");
        using var again = await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, "key-replay-1");
        var (one, two) = (await ContractScenario.Json(first), await ContractScenario.Json(again));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal((false, true), (one.GetProperty("replayed").GetBoolean(), two.GetProperty("replayed").GetBoolean()));
        Assert.Equal(one.GetProperty("lines").GetRawText(), two.GetProperty("lines").GetRawText());
        Assert.Equal((2, 0, 1), Counts(two));
        Assert.Equal(3, two.GetProperty("resumedAfterLine").GetInt32());
        Assert.Equal(1, await MeasurementRowsAsync(contractId, "HV-R1"));
        Assert.Equal(1, await MeasurementRowsAsync(contractId, "HV-R2"));
    }

    [Fact]
    public async Task ByteIdenticalResend_WithoutAKey_IsRecognisedByTheBodysSha256()
    {
        var (scenario, contractId) = await ContractWithParticipantsAsync("HV-S1");
        await using var _ = scenario;
        string[] lines = [Measurement("HV-S1", 10), "", Measurement("HV-S1", 10, point: "followUp3", date: "2022-04-10")];
        var body = string.Join('\n', lines) + "\n";
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

        using var first = await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, key: null);
        using var again = await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, key: null);
        var replay = await ContractScenario.Json(again);
        using var status = await scenario.ProviderA.Client.GetAsync($"/api/contracts/{contractId}/uploads/sha256:{sha}");
        var upload = await ContractScenario.Json(status);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal($"sha256:{sha}", replay.GetProperty("upload").GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal((sha, 3, 3, true), (upload.GetProperty("bodySha256").GetString(), upload.GetProperty("lines").GetInt32(),
            upload.GetProperty("committedThroughLine").GetInt32(), upload.GetProperty("complete").GetBoolean()));
        Assert.Equal(2, await MeasurementRowsAsync(contractId, "HV-S1"));
    }

    [Fact]
    public async Task SameKey_WithAnotherBody_Is422NamingBothBodies_AndWritesNothing()
    {
        var (scenario, contractId) = await ContractWithParticipantsAsync("HV-C1");
        await using var _ = scenario;

        using var first = await UploadAsync(scenario.ProviderA, contractId, "measurements", [Measurement("HV-C1", 10)], "key-conflict");
        using var other = await UploadAsync(scenario.ProviderA, contractId, "measurements", [Measurement("HV-C1", 99)], "key-conflict");
        using var otherEndpoint = await UploadAsync(scenario.ProviderA, contractId, "participants", [Measurement("HV-C1", 10)], "key-conflict");
        var problem = await ContractScenario.Json(other);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity), (other.StatusCode, otherEndpoint.StatusCode));
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'key-conflict'", detail, StringComparison.Ordinal);
        Assert.Contains((await ContractScenario.Json(first)).GetProperty("upload").GetProperty("bodySha256").GetString()!, detail, StringComparison.Ordinal);
        Assert.Equal(1, await MeasurementRowsAsync(contractId, "HV-C1"));
    }

    [Fact]
    public async Task AKeyIsScopedToItsOrganisationAndContract()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var otherContractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, "HV-K1");
        await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "HV-K2");
        await ContractScenario.EnrolAsync(scenario.ProviderA, otherContractId, "HV-K1");

        using var byA = await UploadAsync(scenario.ProviderA, contractId, "measurements", [Measurement("HV-K1", 10)], "shared-key");
        using var byB = await UploadAsync(scenario.ProviderB, contractId, "measurements", [Measurement("HV-K2", 20)], "shared-key");
        using var inOther = await UploadAsync(scenario.ProviderA, otherContractId, "measurements", [Measurement("HV-K1", 30)], "shared-key");
        var seenByB = await ContractScenario.Json(await scenario.ProviderB.Client.GetAsync($"/api/contracts/{contractId}/uploads/shared-key"));
        using var outsider = await scenario.Outsider.Client.GetAsync($"/api/contracts/{contractId}/uploads/shared-key");
        using var commissioner = await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/uploads/shared-key");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (byA.StatusCode, byB.StatusCode, inOther.StatusCode));
        foreach (var response in new[] { byA, byB, inOther })
        {
            Assert.Equal((1, 0, 0), Counts(await ContractScenario.Json(response)));
        }

        Assert.Equal((await ContractScenario.Json(byB)).GetProperty("upload").GetProperty("id").GetString(), seenByB.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, commissioner.StatusCode);
    }

    [Fact]
    public async Task AReSentIdenticalLine_IsUnchanged_NeverACorrection_WhileAChangedOneIs()
    {
        var (scenario, contractId) = await ContractWithParticipantsAsync("HV-U1", "HV-U2");
        await using var _ = scenario;
        string[] lines = [Measurement("HV-U1", 10), Measurement("HV-U2", 11)];

        var first = await ContractScenario.Json(await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, "unchanged-1"));
        var resent = await ContractScenario.Json(await UploadAsync(scenario.ProviderA, contractId, "measurements", [lines[0], Measurement("HV-U2", 12)], "unchanged-2"));
        var measurementId = first.GetProperty("lines")[0].GetProperty("id").GetString();
        using var single = await scenario.ProviderA.Client.PostAsync(
            $"/api/contracts/{contractId}/participants/{await ParticipantIdAsync(scenario, contractId, "HV-U1")}/measurements",
            new StringContent(lines[0], Encoding.UTF8, "application/json"));

        Assert.Equal((1, 1, 0), Counts(resent));
        Assert.Equal(("unchanged", measurementId), (resent.GetProperty("lines")[0].GetProperty("status").GetString(), resent.GetProperty("lines")[0].GetProperty("id").GetString()));
        Assert.Equal("accepted", resent.GetProperty("lines")[1].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.Equal(1, (await ContractScenario.Json(single)).GetProperty("version").GetInt32());
        Assert.Equal(1, await MeasurementRowsAsync(contractId, "HV-U1"));
        Assert.Equal(2, await MeasurementRowsAsync(contractId, "HV-U2"));
    }

    [Fact]
    public async Task AParticipantReSentWithItsVeryRecord_IsUnchanged_AndWithAnotherRecord_IsRejected()
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        string[] lines = ["""{"pseudonym":"HV-P1","enrolmentDate":"2022-01-10","schoolYear":7}""", """{"pseudonym":"HV-P2","enrolmentDate":"2022-01-10","schoolYear":7}"""];

        var first = await ContractScenario.Json(await UploadAsync(scenario.ProviderA, contractId, "participants", lines, null));
        var resent = await ContractScenario.Json(await UploadAsync(
            scenario.ProviderA, contractId, "participants", [lines[0], """{"pseudonym":"HV-P2","enrolmentDate":"2022-01-10","schoolYear":8}"""], "participants-again"));

        Assert.Equal((2, 0, 0), Counts(first));
        Assert.Equal((0, 1, 1), Counts(resent));
        Assert.Equal(first.GetProperty("lines")[0].GetProperty("id").GetString(), resent.GetProperty("lines")[0].GetProperty("id").GetString());
        Assert.Equal("$.pseudonym", resent.GetProperty("lines")[1].GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task AnInterruptedUpload_ResumesAfterItsCommittedLines_AnsweringForThemFromTheStoredAnswer()
    {
        var (scenario, contractId) = await ContractWithParticipantsAsync("HV-I1", "HV-I2", "HV-I3");
        await using var _ = scenario;
        string[] lines = [Measurement("HV-I1", 1), Measurement("HV-I2", 2), Measurement("HV-I3", 3)];
        var complete = await ContractScenario.Json(await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, "interrupted"));
        var uploadId = complete.GetProperty("upload").GetProperty("id").GetString()!;
        var firstLine = complete.GetProperty("lines")[0].GetRawText();

        // What a crash after a first chunk of one line leaves: that line committed with its answer, nothing after.
        await using (var database = new SqliteConnection(server.Services.GetRequiredService<IConfiguration>()["Database:ConnectionString"]))
        {
            await database.ExecuteAsync(
                """
                DELETE FROM measurements WHERE id IN @Later;
                UPDATE bulk_uploads SET committed_through_line = 1, completed_at = NULL, accepted = 1 WHERE id = @uploadId;
                UPDATE bulk_upload_chunks SET last_line = 1, lines = @Lines WHERE upload_id = @uploadId;
                """,
                new { Later = new[] { Id(complete, 1), Id(complete, 2) }, uploadId, Lines = $"[{firstLine}]" });
        }

        var status = await ContractScenario.Json(await scenario.ProviderA.Client.GetAsync($"/api/contracts/{contractId}/uploads/interrupted"));
        using var retry = await UploadAsync(scenario.ProviderA, contractId, "measurements", lines, "interrupted");
        var resumed = await ContractScenario.Json(retry);

        Assert.Equal((1, false), (status.GetProperty("committedThroughLine").GetInt32(), status.GetProperty("complete").GetBoolean()));
        Assert.Equal((1, false, 3), (resumed.GetProperty("resumedAfterLine").GetInt32(), resumed.GetProperty("replayed").GetBoolean(), Counts(resumed).Item1));
        Assert.Equal(Id(complete, 0), Id(resumed, 0));
        Assert.NotEqual(Id(complete, 1), Id(resumed, 1));
        Assert.True(resumed.GetProperty("upload").GetProperty("complete").GetBoolean());
        foreach (var pseudonym in new[] { "HV-I1", "HV-I2", "HV-I3" })
        {
            Assert.Equal(1, await MeasurementRowsAsync(contractId, pseudonym));
        }
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("k/1")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("sha256:abc")]
    public async Task AMalformedKey_Is400AtTheHeader_AndWritesNothing(string key)
    {
        var (scenario, contractId) = await ContractWithParticipantsAsync("HV-M1");
        await using var _ = scenario;

        using var response = await UploadAsync(scenario.ProviderA, contractId, "measurements", [Measurement("HV-M1", 1)], key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["Idempotency-Key"], await ContractScenario.ErrorPathsAsync(response));
        Assert.Equal(0, await MeasurementRowsAsync(contractId, "HV-M1"));
    }

    private static string Measurement(string pseudonym, int score, string point = "baseline", string date = "2022-01-11") =>
        JsonSerializer.Serialize(ContractScenario.Measurement(pseudonym, point, date, score));

    private static string Id(JsonElement answer, int index) => answer.GetProperty("lines")[index].GetProperty("id").GetString()!;

    private static (int Accepted, int Unchanged, int Rejected) Counts(JsonElement answer) =>
        (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("unchanged").GetInt32(), answer.GetProperty("rejected").GetInt32());

    private static async Task<HttpResponseMessage> UploadAsync(TestCaller caller, string contractId, string kind, IEnumerable<string> lines, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contractId}/{kind}:bulk") { Content = ContractScenario.JsonLines(lines) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await caller.Client.SendAsync(request);
    }

    private static async Task<string> ParticipantIdAsync(ContractScenario scenario, string contractId, string pseudonym) =>
        (await scenario.ProviderA.Client.GetFromJsonAsync<JsonElement[]>($"/api/contracts/{contractId}/participants"))!
            .Single(p => p.GetProperty("pseudonym").GetString() == pseudonym).GetProperty("id").GetString()!;

    private async Task<(ContractScenario Scenario, string ContractId)> ContractWithParticipantsAsync(params string[] pseudonyms)
    {
        var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        foreach (var pseudonym in pseudonyms)
        {
            await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, pseudonym);
        }

        return (scenario, contractId);
    }

    private async Task<int> MeasurementRowsAsync(string contractId, string pseudonym)
    {
        await using var database = new SqliteConnection(server.Services.GetRequiredService<IConfiguration>()["Database:ConnectionString"]);
        return await database.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM measurements m JOIN participants p ON p.id = m.participant_id WHERE m.contract_id = @contractId AND p.pseudonym = @pseudonym",
            new { contractId, pseudonym });
    }
}
