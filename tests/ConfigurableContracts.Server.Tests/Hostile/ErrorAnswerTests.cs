using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>
/// Provokes every kind of error answer the server gives — 400, 401, 403, 404, 405, 409, 412, 413, 415, 428, 429,
/// 500 (the 504 is in <see cref="RequestTimeoutTests"/>) — and checks each is a ProblemDetails that repeats no exception text, stack trace, SQL, pseudonym
/// or personal identity number.
/// </summary>
public sealed class ErrorAnswerTests : IAsyncLifetime
{
    private const string Pseudonym = "HV-SECRET-91";
    private const string Identity = "19121212-1212";

    private static readonly string[] Leaks =
        ["Exception", "   at ", "SQLite", "no such table", "SELECT", "INSERT", "UPDATE ", "System.", Pseudonym, Identity, "121212-1212"];

    private readonly ServerFactory _server = ServerFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Limits:MaxRequestBodyBytes"] = "4096",
        ["Limits:RateLimitPermits"] = "200",
        ["Limits:RateLimitWindow"] = "01:00:00",
    });

    private ContractScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ContractScenario.CreateAsync(_server);

    [Fact]
    public async Task EveryKindOfErrorAnswer_IsAProblemDetails_ThatRepeatsNothingInternalOrPersonal()
    {
        var contractId = (await _scenario.ContractAsync()).GetProperty("id").GetString()!;
        var participantId = await ContractScenario.EnrolAsync(_scenario.ProviderA, contractId, Pseudonym);
        var provider = _scenario.ProviderA.Client;
        var participants = $"/api/contracts/{contractId}/participants";
        var answers = new List<(HttpStatusCode Expected, HttpResponseMessage Response)>
        {
            (HttpStatusCode.BadRequest, await provider.PostAsync(participants, Json($$"""{"pseudonym":"{{Pseudonym}}", "notes": "{{Identity}}" """))),
            (HttpStatusCode.BadRequest, await provider.PostAsync(participants, Json($$"""{"pseudonym":"{{Pseudonym}}","enrolmentDate":"2022-01-10","schoolYear":7,"notes":"{{Identity}}"}"""))),
            (HttpStatusCode.BadRequest, await provider.PostAsync(participants, Json($$"""{"{{Identity}}":1,"pseudonym":"{{Pseudonym}}","enrolmentDate":"2022-01-10","schoolYear":7}"""))),
            (HttpStatusCode.BadRequest, await provider.PostAsync($"{participants}/{participantId}/measurements",
                Json($$"""{"pseudonym":"{{Pseudonym}}X","point":"{{Identity}}","date":"2022-01-15","score":3}"""))),
            (HttpStatusCode.Unauthorized, await _server.ClientWithKey("not-a-key").GetAsync("/api/me")),
            (HttpStatusCode.Forbidden, await provider.PostAsJsonAsync("/api/contracts", _scenario.CreateRequest(_scenario.ProviderA.OrganisationId))),
            (HttpStatusCode.NotFound, await provider.GetAsync($"{participants}/no-such-participant")),
            (HttpStatusCode.MethodNotAllowed, await provider.PatchAsync(participants, Json("{}"))),
            (HttpStatusCode.Conflict, await provider.PostAsJsonAsync(participants, ContractScenario.Participant(Pseudonym))),
            (HttpStatusCode.PreconditionRequired, await provider.PutAsJsonAsync($"{participants}/{participantId}", ContractScenario.Participant(Pseudonym))),
            (HttpStatusCode.PreconditionFailed, await SendAsync(provider, HttpMethod.Put, $"{participants}/{participantId}", JsonContent.Create(ContractScenario.Participant(Pseudonym)), ("If-Match", "\"999\""))),
            (HttpStatusCode.RequestEntityTooLarge, await provider.PostAsync(participants, Json($$"""{"pseudonym":"{{Pseudonym}}","notes":"{{new string('x', 5000)}}"}"""))),
            (HttpStatusCode.UnsupportedMediaType, await provider.PostAsync(participants, new StringContent(Pseudonym, Encoding.UTF8, "text/plain"))),
            (HttpStatusCode.UnsupportedMediaType, await provider.PostAsync($"/api/contracts/{contractId}/participants:bulk", Json($$"""{"pseudonym":"{{Pseudonym}}"}"""))),
        };

        using (var busy = await _server.CallerForAsync(_scenario.ProviderB.OrganisationId, Roles.Provider))
        {
            HttpResponseMessage last;
            do
            {
                last = await busy.Client.GetAsync("/api/me");
            }
            while (last.StatusCode == HttpStatusCode.OK);

            answers.Add((HttpStatusCode.TooManyRequests, last));
        }

        // A database fault: the answer must not say which table or statement failed.
        await using (var database = new SqliteConnection(_server.Services.GetRequiredService<IConfiguration>()["Database:ConnectionString"]))
        {
            await database.OpenAsync();
            await using var drop = database.CreateCommand();
            drop.CommandText = "DROP TABLE measurements";
            await drop.ExecuteNonQueryAsync();
        }

        answers.Add((HttpStatusCode.InternalServerError, await provider.GetAsync($"{participants}/{participantId}/measurements")));

        foreach (var (expected, response) in answers)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode} for {response.RequestMessage}: {text}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                foreach (var leak in Leaks)
                {
                    Assert.False(text.Contains(leak, StringComparison.Ordinal), $"'{leak}' in the {(int)expected} answer: {text}");
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent content, (string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        return await client.SendAsync(request);
    }
}
