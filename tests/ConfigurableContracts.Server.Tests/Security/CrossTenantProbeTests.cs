using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Evaluation;
using ConfigurableContracts.Core.Evaluations;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Security;

/// <summary>
/// Walks every operation of the server's own OpenAPI document with a key of every role in two organisations that do
/// not own the data — provider B, named in the same contract as provider A, and an unrelated organisation X (for
/// admin, the platform organisation, the only one that may hold it) — and without credentials, sending provider A's and the commissioner's real ids. Every probe must be refused (401, 403,
/// 404) unless <see cref="Open"/> lists the operation as legitimately open to that caller, with why; no answer may
/// carry A's participant data that the probe did not send itself; every refused or writing probe must be in the
/// audit log. An operation the probe cannot classify fails the test, so a new endpoint is probed from day one.
/// </summary>
public sealed class CrossTenantProbeTests(ServerFactory server, ITestOutputHelper output) : IClassFixture<ServerFactory>
{
    /// <summary>Which organisation a probe comes from, seen from provider A's data.</summary>
    private enum Relation
    {
        /// <summary>Provider B: named in the same contract, so it reads the contract and its own share.</summary>
        SameContractProvider,

        /// <summary>Organisation X: no part in the contract.</summary>
        Unrelated,

        /// <summary>No credentials at all.</summary>
        Anonymous,
    }

    private sealed record OpenRule(Func<string?, Relation, bool> AppliesTo, string Reason, bool MaySeeOwnerData = false);

    private sealed record Probe(string Subject, string Role, Relation Relation, string Operation, string Endpoint, string Method, int Status);

    /// <summary>
    /// Operations a non-owner may legitimately be answered by, with the reason. Everything else must be refused.
    /// A rule answers for (role, relation); role is null for the anonymous probe.
    /// </summary>
    private static readonly Dictionary<string, OpenRule> Open = new(StringComparer.Ordinal)
    {
        ["GetCaller"] = new((role, _) => role is not null, "answers who the caller is, nothing else"),
        ["ListTemplates"] = new((role, _) => role is not null, "the shared template catalogue, no contract data"),
        ["GetTemplate"] = new((role, _) => role is not null, "the shared template catalogue, no contract data"),
        ["GetTemplateVersion"] = new((role, _) => role is not null, "the shared template catalogue, no contract data"),
        ["GetTemplateDiagnostics"] = new((role, _) => role is not null, "the shared template catalogue, no contract data"),
        ["CreateContract"] = new((role, _) => role == Roles.Commissioner, "creates a contract of the caller's own organisation, whatever commissioner the body names"),
        ["ListContracts"] = new((role, _) => role is Roles.Commissioner or Roles.Provider or Roles.Auditor, "lists the caller's own contracts only"),
        ["GetContract"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B is named in the contract and reads its terms"),
        ["ListParticipants"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B lists its own participants of the contract, none of A's"),
        ["EnrolParticipant"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B enrols its own participant under a contract naming it"),
        ["EnrolParticipantsInBulk"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B enrols its own participants under a contract naming it"),
        ["RecordMeasurementsInBulk"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B's lines naming A's pseudonym are rejected exactly like unknown pseudonyms"),
        ["ListDecisions"] = new((role, _) => role is Roles.Commissioner or Roles.Provider or Roles.Auditor, "an empty list for a contract the caller cannot see or for someone else's participant, the same as for none"),
        ["GetOutcomeReport"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B's report counts B's own participants only"),
        ["GetPaymentStatement"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B's statement holds B's own ledger entries only"),
        ["StartEvaluation"] = new((role, _) => role == Roles.Admin, "admins run evaluations platform-wide; the answer is a run record without participant data"),
        ["ListEvaluations"] = new((role, _) => role is Roles.Admin or Roles.Commissioner or Roles.Provider or Roles.Auditor, "run records hold no participant data (admins see all); others get an empty page for contracts they cannot see"),
        ["ListContractEvaluations"] = new((role, _) => role is Roles.Admin or Roles.Commissioner or Roles.Provider or Roles.Auditor, "as ListEvaluations"),
        ["GetEvaluation"] = new((role, relation) => role == Roles.Admin || (role == Roles.Provider && relation == Relation.SameContractProvider), "run records hold no participant data; admins and the contract's providers see them"),
        ["CreateOrganisation"] = new((role, _) => role == Roles.Admin, "admins manage every organisation (the platform's own scope)"),
        ["ListOrganisations"] = new((role, _) => role is Roles.Admin or Roles.Commissioner, "ids and names, for naming providers in a contract"),
        ["GetOrganisation"] = new((role, _) => role is Roles.Admin or Roles.Commissioner, "ids and names, for naming providers in a contract"),
        ["CreateKey"] = new((role, _) => role == Roles.Admin, "admins issue keys for every organisation"),
        ["ListKeys"] = new((role, _) => role == Roles.Admin, "admins list keys (never secrets) of every organisation"),
        ["RevokeKey"] = new((role, _) => role == Roles.Admin, "admins revoke keys of every organisation"),
        ["GetRetentionDue"] = new((role, _) => role == Roles.Admin, "admins see which closed contracts are due for removal, with counts and no participant data"),
        ["ListAuditEntries"] = new((role, _) => role is Roles.Admin or Roles.Auditor, "auditors read entries of contracts their organisation commissions; admins the whole log", MaySeeOwnerData: true),
    };

    /// <summary>Every operation the probe knows how to send; one missing here fails the test.</summary>
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "GetCaller", "ListTemplates", "GetTemplate", "GetTemplateVersion", "GetTemplateDiagnostics",
        "CreateContract", "ListContracts", "GetContract", "UpdateContract", "ActivateContract", "CloseContract",
        "EnrolParticipant", "EnrolParticipantsInBulk", "ListParticipants", "GetParticipant", "CorrectParticipant",
        "RecordMeasurement", "ListMeasurements", "RecordMeasurementsInBulk",
        "ListDecisions", "GetOutcomeReport", "GetDecision", "ReplayDecision", "GetPaymentStatement", "ReviewPayments",
        "StartEvaluation", "ListContractEvaluations", "ListEvaluations", "GetEvaluation",
        "CreateOrganisation", "ListOrganisations", "GetOrganisation", "CreateKey", "ListKeys", "RevokeKey",
        "ListAuditEntries", "ExportParticipant", "GetRetentionDue",
    };

    [Fact]
    public async Task EveryOperation_RefusesEveryOtherOrganisationAndRole_LeaksNothing_AndIsAudited()
    {
        var world = await OwnerWorld.CreateAsync(server);
        using var anonymous = server.CreateClient();
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var operations = Operations(document).ToList();
        var unclassified = operations.Where(o => !Known.Contains(o.Id) || o.PathParameters.Any(p => world.PathValue(o.Path, p) is null)).Select(o => $"{o.Method} {o.Path} ({o.Id})").ToList();
        Assert.True(unclassified.Count == 0, "Operations the probe cannot classify; add them to Known (and Open if legitimately open): " + string.Join(", ", unclassified));

        var callers = new List<(TestCaller? Caller, string? Role, Relation Relation)> { (null, null, Relation.Anonymous) };
        foreach (var (organisation, relation) in new[] { (world.ProviderB, Relation.SameContractProvider), (world.Unrelated, Relation.Unrelated) })
        {
            foreach (var role in Roles.All)
            {
                // Admin belongs to the platform organisation alone, which has no part in the contract: probed once, as unrelated.
                if (role == Roles.Admin && relation != Relation.Unrelated)
                {
                    continue;
                }

                callers.Add((await server.CallerForAsync(role == Roles.Admin ? PlatformOrganisation.DefaultId : organisation, role), role, relation));
            }
        }

        var probes = new List<Probe>();
        var failures = new List<string>();
        foreach (var operation in operations)
        {
            foreach (var (caller, role, relation) in callers)
            {
                using var request = world.Request(operation);
                var sent = request.RequestUri!.ToString() + (request.Content is null ? "" : await request.Content.ReadAsStringAsync());
                using var response = await (caller?.Client ?? anonymous).SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                probes.Add(new Probe(caller?.KeyId ?? "anonymous", role ?? "anonymous", relation, operation.Id, $"{operation.Method} {operation.Path}", operation.Method, status));
                var open = Open.TryGetValue(operation.Id, out var rule) && rule.AppliesTo(role, relation) ? rule : null;
                if (open is null && !(relation == Relation.Anonymous ? status == 401 : status is 403 or 404))
                {
                    failures.Add($"{role ?? "anonymous"}@{relation} {operation.Method} {operation.Path}: {status} {Truncate(body)}");
                }

                if (open?.MaySeeOwnerData != true && world.OwnerData.FirstOrDefault(d => body.Contains(d, StringComparison.Ordinal) && !sent.Contains(d, StringComparison.Ordinal)) is { } leaked)
                {
                    failures.Add($"{role ?? "anonymous"}@{relation} {operation.Method} {operation.Path}: answer holds owner data '{leaked}'");
                }
            }
        }

        var log = server.Services.GetRequiredService<AuditLog>();
        var entries = await log.QueryAsync(new AuditQuery(Limit: 10_000));
        var auditedCount = entries.GroupBy(e => (e.Subject, Endpoint: e.Endpoint?.TrimEnd('/'), e.StatusCode)).ToDictionary(g => g.Key, g => g.Count());
        var mustBeAudited = probes.Where(p => p.Status is 401 or 403 or 404 || p.Method is not "GET")
            .GroupBy(p => (p.Subject, Endpoint: (string?)p.Endpoint.TrimEnd('/'), StatusCode: (int?)p.Status));
        foreach (var group in mustBeAudited)
        {
            if (auditedCount.GetValueOrDefault(group.Key) < group.Count())
            {
                failures.Add($"not audited: {group.Key.Subject} {group.Key.Endpoint} {group.Key.StatusCode} ({group.Count()} probes, {auditedCount.GetValueOrDefault(group.Key)} entries)");
            }
        }

        var refusedCount = probes.Count(p => p.Status is 401 or 403 or 404);
        output.WriteLine($"{operations.Count} operations, {callers.Count} callers: {probes.Count} probes, {refusedCount} refused (401/403/404), {probes.Count - refusedCount} answered by operations listed as open.");
        output.WriteLine($"{mustBeAudited.Sum(g => g.Count())} refused or writing probes checked against {entries.Count} audit entries.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True((await log.VerifyAsync()).IsIntact);
    }

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "…";

    private sealed record Operation(string Id, string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters, string? BodyType);

    private static IEnumerable<Operation> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                var parameters = method.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
                string? bodyType = method.Value.TryGetProperty("requestBody", out var body)
                    ? body.GetProperty("content").EnumerateObject().Select(c => c.Name).OrderBy(c => c == "application/json" ? 0 : 1).First()
                    : null;
                yield return new Operation(
                    method.Value.TryGetProperty("operationId", out var id) ? id.GetString()! : $"{method.Name} {path.Name}",
                    method.Name.ToUpperInvariant(),
                    path.Name,
                    parameters.Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()!).ToList(),
                    parameters.Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList(),
                    bodyType);
            }
        }
    }

    /// <summary>
    /// Provider A's participant under commissioner M's contract, with measurements, decisions, ledger entries, an
    /// evaluation run and an API key: the real ids every probe aims at.
    /// </summary>
    private sealed class OwnerWorld
    {
        private OwnerWorld()
        {
        }

        public required ContractScenario Scenario { get; init; }

        public required string ContractId { get; init; }

        public required string ParticipantId { get; init; }

        public required string Pseudonym { get; init; }

        public required string DecisionId { get; init; }

        public required string RunId { get; init; }

        public required string KeyId { get; init; }

        public required string Unrelated { get; init; }

        public string ProviderA => Scenario.ProviderA.OrganisationId;

        public string ProviderB => Scenario.ProviderB.OrganisationId;

        /// <summary>A's participant data: none of it may appear in a non-owner's answer unless the probe sent it.</summary>
        public required IReadOnlyList<string> OwnerData { get; init; }

        public static async Task<OwnerWorld> CreateAsync(ServerFactory server)
        {
            var scenario = await ContractScenario.CreateAsync(server);
            var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
            var pseudonym = "OWN-" + Guid.NewGuid().ToString("N")[..8];
            var note = "note-" + Guid.NewGuid().ToString("N")[..12];
            using var enrolled = await scenario.ProviderA.Client.PostAsJsonAsync($"/api/contracts/{contractId}/participants", ContractScenario.Participant(pseudonym, notes: note));
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
            var participantId = (await ContractScenario.Json(enrolled)).GetProperty("id").GetString()!;
            var owned = new List<string> { pseudonym, participantId, note };
            foreach (var (point, date, score) in new[] { ("baseline", "2022-01-12", 20), ("followUp3", "2022-04-12", 10) })
            {
                using var measured = await scenario.ProviderA.Client.PostAsJsonAsync(
                    $"/api/contracts/{contractId}/participants/{participantId}/measurements", ContractScenario.Measurement(pseudonym, point, date, score));
                Assert.Equal(HttpStatusCode.Created, measured.StatusCode);
                owned.Add((await ContractScenario.Json(measured)).GetProperty("id").GetString()!);
            }

            await server.Services.GetRequiredService<ContractEvaluator>().EvaluateAsync(contractId, "probe-run", new DateOnly(2022, 6, 1), null, CancellationToken.None);
            var decisions = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/decisions?participant={pseudonym}"));
            owned.AddRange(decisions.EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            var statement = await ContractScenario.Json(await scenario.Commissioner.Client.GetAsync($"/api/contracts/{contractId}/payments?period=2022-06"));
            owned.AddRange(statement.GetProperty("providers").EnumerateArray().SelectMany(p => p.GetProperty("entries").EnumerateArray()).Select(e => e.GetProperty("id").GetString()!));
            Assert.True(owned.Count > 6, "the owner's world must have decisions and ledger entries to probe for");
            var (run, _) = await server.Services.GetRequiredService<EvaluationRunner>().QueueManualAsync(contractId);
            using var admin = server.ClientWithKey(server.AdminKey);
            using var key = await admin.PostAsJsonAsync($"/api/organisations/{scenario.ProviderA.OrganisationId}/keys", new { role = "provider", label = "probe target" });
            using var unrelated = await server.CallerAsync(Roles.Commissioner, "probe-x");
            return new OwnerWorld
            {
                Scenario = scenario,
                ContractId = contractId,
                ParticipantId = participantId,
                Pseudonym = pseudonym,
                DecisionId = decisions[0].GetProperty("id").GetString()!,
                RunId = run.Id,
                KeyId = (await ContractScenario.Json(key)).GetProperty("key").GetProperty("id").GetString()!,
                Unrelated = unrelated.OrganisationId,
                OwnerData = owned,
            };
        }

        /// <summary>The owner's real id for a path parameter, or null when the probe does not know the parameter.</summary>
        public string? PathValue(string path, string parameter) => parameter switch
        {
            "contractId" => ContractId,
            "id" when path.StartsWith("/api/contracts/", StringComparison.Ordinal) => ContractId,
            "id" when path.StartsWith("/api/organisations/", StringComparison.Ordinal) => ProviderA,
            "id" when path.StartsWith("/api/templates/", StringComparison.Ordinal) => ServerFactory.TemplateId,
            "version" => "1.0.0",
            "participantId" => ParticipantId,
            "pseudonym" => Pseudonym,
            "decisionId" => DecisionId,
            "runId" => RunId,
            "keyId" => KeyId,
            "providerId" => ProviderA,
            "period" => "2022-06",
            _ => null,
        };

        public HttpRequestMessage Request(Operation operation)
        {
            var path = operation.PathParameters.Aggregate(operation.Path, (p, name) => p.Replace("{" + name + "}", Uri.EscapeDataString(PathValue(operation.Path, name)!), StringComparison.Ordinal));
            var query = operation.QueryParameters.Select(q => (q, Value: QueryValue(q))).Where(q => q.Value is not null).Select(q => $"{q.q}={Uri.EscapeDataString(q.Value!)}").ToList();
            var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + (query.Count == 0 ? "" : "?" + string.Join('&', query)));
            request.Headers.Add("X-Purpose", "cross-tenant probe");
            if (operation.BodyType == "application/x-ndjson")
            {
                var line = operation.Id == "RecordMeasurementsInBulk"
                    ? JsonSerializer.Serialize(ContractScenario.Measurement(Pseudonym, "followUp3", "2022-04-13", 1))
                    : JsonSerializer.Serialize(ContractScenario.Participant("PROBE-" + Guid.NewGuid().ToString("N")[..8]));
                request.Content = new StringContent(line + "\n", Encoding.UTF8, "application/x-ndjson");
            }
            else if (operation.BodyType is not null)
            {
                request.Content = JsonContent.Create(Body(operation.Id));
            }

            if (operation.Id == "CorrectParticipant")
            {
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            }

            return request;
        }

        private string? QueryValue(string name) => name switch
        {
            "period" => "2022-06",
            "participant" => Pseudonym,
            "contractId" => ContractId,
            "organisation" => ProviderA,
            _ => null,
        };

        private object Body(string operationId) => operationId switch
        {
            // A commissioner elsewhere naming M as commissioner and A as provider: the server must make it the caller's own.
            "CreateContract" => Scenario.CreateRequest(ProviderA),
            "UpdateContract" => new { title = "Taken over", parameters = Scenario.Parameters(ProviderA, ProviderB) },
            "EnrolParticipant" => ContractScenario.Participant("PROBE-" + Guid.NewGuid().ToString("N")[..8]),
            "CorrectParticipant" => ContractScenario.Participant(Pseudonym, notes: "overwritten by a probe"),
            "RecordMeasurement" => ContractScenario.Measurement(Pseudonym, "followUp3", "2022-04-13", 1),
            "ReviewPayments" => new { status = "approved", note = "probe" },
            "CreateOrganisation" => new { id = "probe-" + Guid.NewGuid().ToString("N")[..8], name = "Probe" },
            "CreateKey" => new { role = "admin", label = "probe" },
            _ => throw new InvalidOperationException($"The probe has no body for {operationId}; add one."),
        };
    }
}
