using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Security;

/// <summary>
/// A personal identity number typed into any text the server stores is refused with a 400 naming where it was
/// (JSON path or header), or, where the text is only recorded about a request (the audit log's route, query, path
/// and caller columns), masked before it is stored. One case per column that takes caller text; afterwards no table
/// holds any of the numbers sent.
/// </summary>
public sealed class FreeTextPrivacyTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    /// <summary>The one test number (valid date, valid check digit) in every way people write it, and a co-ordination number.</summary>
    public static TheoryData<string> Numbers => ["121212-1212", "1212121212", "19121212-1212", "191212121212", "121212+1212", "121212 1212", "701063-2391"];

    private static readonly string[] Digits = ["1212121212", "121212-1212", "121212+1212", "121212 1212", "7010632391", "701063-2391"];

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task Purpose_HoldingANumber_Is400NamingTheHeader_AndIsNotAudited(string number)
    {
        using var admin = server.ClientWithKey(server.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit?limit=1");
        request.Headers.Add("X-Purpose", $"uppföljning av {number}");

        using var response = await admin.SendAsync(request);

        Assert.Equal(["X-Purpose"], await ContractScenario.ErrorPathsAsync(response));
        Assert.DoesNotContain(number, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [InlineData("line\u2028break")]
    [InlineData("right-to-left \u202Eoverride")]
    [InlineData("zero\u200Bwidth")]
    [InlineData("private \uE000 use")]
    [InlineData("tab\there")]
    public async Task Purpose_WithAnUnprintableCharacter_Is400NamingTheHeader(string purpose)
    {
        using var admin = server.ClientWithKey(server.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit?limit=1");
        request.Headers.TryAddWithoutValidation("X-Purpose", purpose);

        using var response = await admin.SendAsync(request);

        Assert.Equal(["X-Purpose"], await ContractScenario.ErrorPathsAsync(response));
    }

    [Fact]
    public async Task Purpose_InPlainWordsWithEmoji_IsRecorded()
    {
        using var admin = server.ClientWithKey(server.AdminKey);
        var purpose = $"betalningsgranskning {Guid.NewGuid():N} ✅";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit?limit=1");
        request.Headers.TryAddWithoutValidation("X-Purpose", purpose);

        using var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = await server.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Limit: 10_000));
        Assert.Contains(entries, e => e.Purpose == purpose);
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task OrganisationId_HoldingANumber_Is400AtItsPath(string number)
    {
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.PostAsJsonAsync("/api/organisations", new { id = number.Replace(' ', '-').Replace('+', '-'), name = "Förening" });

        Assert.Contains("$.id", await ContractScenario.ErrorPathsAsync(response));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task OrganisationName_HoldingANumber_Is400AtItsPath(string number)
    {
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.PostAsJsonAsync("/api/organisations", new { id = $"org-{Guid.NewGuid():N}"[..20], name = $"Anna Andersson {number}" });

        Assert.Equal(["$.name"], await ContractScenario.ErrorPathsAsync(response));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task ApiKeyLabel_HoldingANumber_Is400AtItsPath(string number)
    {
        using var caller = await server.CallerAsync(Roles.Provider, "label");
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.PostAsJsonAsync($"/api/organisations/{caller.OrganisationId}/keys", new { role = Roles.Provider, label = $"nyckel för {number}" });

        Assert.Equal(["$.label"], await ContractScenario.ErrorPathsAsync(response));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task ContractTitle_HoldingANumber_Is400AtItsPath_OnCreateAndOnEdit(string number)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var request = new
        {
            templateId = ServerFactory.TemplateId,
            templateVersion = "1.0.0",
            title = $"Stöd till {number}",
            parameters = scenario.Parameters(scenario.ProviderA.OrganisationId),
        };
        var draft = await scenario.ContractAsync(activate: false);
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/contracts/{draft.GetProperty("id").GetString()}")
        {
            Content = JsonContent.Create(new { title = $"Stöd till {number}", parameters = scenario.Parameters(scenario.ProviderA.OrganisationId) }),
        };
        edit.Headers.TryAddWithoutValidation("If-Match", $"\"{draft.GetProperty("rowVersion").GetInt32()}\"");

        using var created = await scenario.Commissioner.Client.PostAsJsonAsync("/api/contracts", request);
        using var edited = await scenario.Commissioner.Client.SendAsync(edit);

        Assert.Equal(["$.title"], await ContractScenario.ErrorPathsAsync(created));
        Assert.Equal(["$.title"], await ContractScenario.ErrorPathsAsync(edited));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task ContractParametersTitle_HoldingANumber_Is400AtItsPath(string number)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var parameters = JsonSerializer.SerializeToNode(scenario.Parameters(scenario.ProviderA.OrganisationId))!;
        parameters["title"] = $"Stöd till {number}";

        using var created = await scenario.Commissioner.Client.PostAsJsonAsync(
            "/api/contracts", new { templateId = ServerFactory.TemplateId, templateVersion = "1.0.0", parameters });

        Assert.Contains("$.parameters.title", await ContractScenario.ErrorPathsAsync(created));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task PaymentReviewNote_HoldingANumber_Is400AtItsPath(string number)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString();

        using var response = await scenario.Commissioner.Client.PutAsJsonAsync(
            $"/api/contracts/{contractId}/payments/2022-06/reviews/{scenario.ProviderA.OrganisationId}", new { status = "disputed", note = $"gäller {number}" });

        Assert.Equal(["$.note"], await ContractScenario.ErrorPathsAsync(response));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task ParticipantPseudonymAndFreeTextField_HoldingANumber_Are400AtTheirPaths(string number)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString();

        using var pseudonym = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants", ContractScenario.Participant(number));
        using var notes = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants", ContractScenario.Participant($"HV-{Guid.NewGuid():N}"[..12], notes: $"pnr {number}"));

        Assert.Contains("$.pseudonym", await ContractScenario.ErrorPathsAsync(pseudonym));
        Assert.Contains("$.notes", await ContractScenario.ErrorPathsAsync(notes));
        await AssertStoredNowhereAsync();
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task MeasurementDocument_HoldingANumber_Is400AtItsPath(string number)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participantId = await ContractScenario.EnrolAsync(scenario.ProviderA, contractId, $"HV-{Guid.NewGuid():N}"[..12]);

        using var response = await scenario.ProviderA.Client.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants/{participantId}/measurements", new { pseudonym = number, point = "followUp3", date = "2022-04-10", score = 3 });

        Assert.Contains("$.pseudonym", await ContractScenario.ErrorPathsAsync(response));
        await AssertStoredNowhereAsync();
    }

    /// <summary>Route values, the query and a 405's path go into the audit entry of a refusal: masked there.</summary>
    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task NumberInTheAddress_IsMaskedInTheAuditEntry(string number)
    {
        await using var scenario = await ContractScenario.CreateAsync(server);
        using var auditor = await server.CallerAsync(Roles.Auditor, "revision");
        var escaped = Uri.EscapeDataString(number);
        var log = server.Services.GetRequiredService<AuditLog>();
        var before = (await log.QueryAsync(new AuditQuery(Limit: 100_000))).Max(e => e.Sequence);

        using var contract = await scenario.Commissioner.Client.GetAsync($"/api/contracts/{escaped}");
        using var participant = await scenario.Commissioner.Client.GetAsync($"/api/contracts/{escaped}/participants/{escaped}");
        using var keys = await server.ClientWithKey(server.AdminKey).GetAsync($"/api/organisations/{escaped}/keys");
        using var method = await scenario.Commissioner.Client.DeleteAsync($"/api/contracts/{escaped}/activate");
        using var query = await auditor.Client.GetAsync($"/api/audit?participant={escaped}");

        Assert.Equal(
            [HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed, HttpStatusCode.OK],
            [contract.StatusCode, participant.StatusCode, keys.StatusCode, method.StatusCode, query.StatusCode]);
        var entries = (await log.QueryAsync(new AuditQuery(AfterSequence: before, Limit: 100_000))).ToList();
        Assert.True(entries.Count >= 5, $"{entries.Count} audit entries");
        Assert.Contains(entries, e => e.ContractId == "(personal identity number)");
        Assert.Contains(entries, e => e.ParticipantPseudonym == "(personal identity number)");
        Assert.Contains(entries, e => e.Endpoint == "DELETE /api/contracts/(personal identity number)/activate");
        await AssertStoredNowhereAsync();
    }

    /// <summary>No text column of any table holds one of the numbers the tests send, in any of its spellings.</summary>
    private async Task AssertStoredNowhereAsync()
    {
        await using var connection = await server.Services.GetRequiredService<DbConnectionFactory>().OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var column = 0; column < reader.FieldCount; column++)
                {
                    if (reader.GetValue(column) is string text && Digits.FirstOrDefault(d => text.Contains(d, StringComparison.Ordinal)) is { } found)
                    {
                        Assert.Fail($"{table}.{reader.GetName(column)} holds '{found}': {text}");
                    }
                }
            }
        }
    }
}
