using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConfigurableContracts.Server.Tests.Security;

/// <summary>
/// Walks every operation of the server's own OpenAPI document with every role in two organisations that do not own
/// the data — provider B, named in the same contract as provider A, and an unrelated organisation X (for admin, the
/// platform organisation, the only one that may hold it) — each role once with an API key and once with a JWT from
/// the test identity provider, and once without credentials, sending provider A's and the commissioner's real ids.
/// Every probe must be refused (401, 403, 404) unless <see cref="Open"/> lists the operation as legitimately open
/// to that caller, with why; no answer may carry A's participant data that the probe did not send itself; and every
/// probe of a kind the server audits — refusals, writes, reads of participant data — must be in the audit log, one
/// entry naming its caller, endpoint and status. An answered read the server does not audit must say why in its open
/// rule, and must hold no participant data at all. An operation the probe cannot classify fails the test, so a new
/// endpoint is probed from day one.
/// </summary>
public sealed partial class CrossTenantProbeTests(JwtServer jwt, ITestOutputHelper output) : IClassFixture<JwtServer>
{
    private const string NoParticipantData = "not audited: the answer holds no participant data";

    private const string PurposePrefix = "cross-tenant probe ";

    private const string RoleMapPrefix = "Authentication:Jwt:RoleMap:";

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

    /// <summary>Why a non-owner may be answered, and what the answer may then hold.</summary>
    private sealed record OpenRule(Func<string?, Relation, bool> AppliesTo, string Reason)
    {
        /// <summary>
        /// Why the server's audit policy leaves this answered read out of the log; null for a kind it audits. The
        /// test checks both ways: an unaudited answer needs this reason, and a reason on an audited kind is stale.
        /// </summary>
        public string? NotAuditedBecause { get; init; }

        /// <summary>Which roles may see A's data in the answer (the platform admin reading the whole audit log).</summary>
        public Func<string?, bool> MaySeeOwnerData { get; init; } = _ => false;

        /// <summary>False where the answer must hold none of A's data even if the probe named it (an audit page never echoes its filters).</summary>
        public bool MayEchoWhatWasSent { get; init; } = true;
    }

    private sealed record ProbeCaller(HttpClient Client, string Subject, string? Role, string? OrganisationId, Relation Relation, string? Authentication)
    {
        public string Name => $"{Role ?? "anonymous"}@{Relation}{(Authentication is null ? "" : "/" + Authentication)}";
    }

    private sealed record Probe(ProbeCaller Caller, Operation Operation, string Purpose, int Status, bool Audited);

    /// <summary>
    /// Operations a non-owner may legitimately be answered by, with the reason. Everything else must be refused.
    /// A rule answers for (role, relation); role is null for the anonymous probe.
    /// </summary>
    private static readonly Dictionary<string, OpenRule> Open = new(StringComparer.Ordinal)
    {
        ["GetCaller"] = new((role, _) => role is not null, "answers who the caller is, nothing else") { NotAuditedBecause = "not audited: it tells the caller only about itself" },
        ["ListTemplates"] = new((role, _) => role is not null, "the shared template catalogue, no contract data") { NotAuditedBecause = NoParticipantData },
        ["GetTemplate"] = new((role, _) => role is not null, "the shared template catalogue, no contract data") { NotAuditedBecause = NoParticipantData },
        ["GetTemplateVersion"] = new((role, _) => role is not null, "the shared template catalogue, no contract data") { NotAuditedBecause = NoParticipantData },
        ["GetTemplateDiagnostics"] = new((role, _) => role is not null, "the shared template catalogue, no contract data") { NotAuditedBecause = NoParticipantData },
        ["GetTemplateFile"] = new((role, _) => role is not null, "a file of a shared template version, no contract data") { NotAuditedBecause = NoParticipantData },
        ["DiffTemplateVersions"] = new((role, _) => role is not null, "the difference between two shared template versions, no contract data") { NotAuditedBecause = NoParticipantData },
        ["CreateContract"] = new((role, _) => role == Roles.Commissioner, "creates a contract of the caller's own organisation, whatever commissioner the body names"),
        ["ListContracts"] = new((role, _) => role is Roles.Commissioner or Roles.Provider or Roles.Auditor, "lists the caller's own contracts only") { NotAuditedBecause = "not audited: contract terms hold no participant data" },
        ["GetContract"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B is named in the contract and reads its terms") { NotAuditedBecause = "not audited: contract terms hold no participant data" },
        ["ListParticipants"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B lists its own participants of the contract, none of A's"),
        ["EnrolParticipant"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B enrols its own participant under a contract naming it"),
        ["EnrolParticipantsInBulk"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B enrols its own participants under a contract naming it"),
        ["RecordMeasurementsInBulk"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B's lines naming A's pseudonym are rejected exactly like unknown pseudonyms"),
        ["ListDecisions"] = new((role, _) => role is Roles.Commissioner or Roles.Provider or Roles.Auditor, "an empty list for a contract the caller cannot see or for someone else's participant, the same as for none"),
        ["GetOutcomeReport"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B's report counts B's own participants only"),
        ["GetPaymentStatement"] = new((role, relation) => role == Roles.Provider && relation == Relation.SameContractProvider, "B's statement holds B's own ledger entries only"),
        ["StartEvaluation"] = new((role, _) => role == Roles.Admin, "admins run evaluations platform-wide; the answer is a run record without participant data"),
        ["ListEvaluations"] = new((role, _) => role is Roles.Admin or Roles.Commissioner or Roles.Provider or Roles.Auditor, "run records hold no participant data (admins see all); others get an empty page for contracts they cannot see") { NotAuditedBecause = "not audited: run records hold counts, no participant data" },
        ["ListContractEvaluations"] = new((role, _) => role is Roles.Admin or Roles.Commissioner or Roles.Provider or Roles.Auditor, "as ListEvaluations") { NotAuditedBecause = "not audited: run records hold counts, no participant data" },
        ["GetEvaluation"] = new((role, relation) => role == Roles.Admin || (role == Roles.Provider && relation == Relation.SameContractProvider), "run records hold no participant data; admins and the contract's providers see them") { NotAuditedBecause = "not audited: run records hold counts, no participant data" },
        ["CreateOrganisation"] = new((role, _) => role == Roles.Admin, "admins manage every organisation (the platform's own scope)"),
        ["ListOrganisations"] = new((role, _) => role is Roles.Admin or Roles.Commissioner, "ids and names, for naming providers in a contract") { NotAuditedBecause = "not audited: organisation ids and names hold no participant data" },
        ["GetOrganisation"] = new((role, _) => role is Roles.Admin or Roles.Commissioner, "ids and names, for naming providers in a contract") { NotAuditedBecause = "not audited: organisation ids and names hold no participant data" },
        ["CreateKey"] = new((role, _) => role == Roles.Admin, "admins issue keys for every organisation"),
        ["ListKeys"] = new((role, _) => role == Roles.Admin, "admins list keys (never secrets) of every organisation") { NotAuditedBecause = "not audited: key ids and labels hold no participant data" },
        ["RevokeKey"] = new((role, _) => role == Roles.Admin, "admins revoke keys of every organisation"),
        ["GetRetentionDue"] = new((role, _) => role == Roles.Admin, "admins see which closed contracts are due for removal, with counts and no participant data") { NotAuditedBecause = "not audited: counts per contract, no participant data" },
        ["ListAuditEntries"] = new((role, _) => role is Roles.Admin or Roles.Auditor, "auditors read entries of contracts their organisation commissions (none of A's here); admins the whole log")
        {
            MaySeeOwnerData = role => role == Roles.Admin,
            MayEchoWhatWasSent = false,
        },
    };

    /// <summary>Every operation the probe knows how to send; one missing here fails the test.</summary>
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "GetCaller", "ListTemplates", "GetTemplate", "GetTemplateVersion", "GetTemplateDiagnostics", "GetTemplateFile", "DiffTemplateVersions",
        "CreateContract", "ListContracts", "GetContract", "UpdateContract", "ActivateContract", "CloseContract",
        "EnrolParticipant", "EnrolParticipantsInBulk", "ListParticipants", "GetParticipant", "CorrectParticipant",
        "RecordMeasurement", "ListMeasurements", "RecordMeasurementsInBulk", "GetUpload",
        "ListDecisions", "GetOutcomeReport", "GetDecision", "ReplayDecision", "GetPaymentStatement", "ReviewPayments",
        "StartEvaluation", "ListContractEvaluations", "ListEvaluations", "GetEvaluation",
        "CreateOrganisation", "ListOrganisations", "GetOrganisation", "CreateKey", "ListKeys", "RevokeKey",
        "ListAuditEntries", "ExportParticipant", "GetRetentionDue",
    };

    private ServerFactory Server => jwt.Server;

    [Fact]
    public async Task EveryOperation_RefusesEveryOtherOrganisationAndRole_LeaksNothing_AndIsAudited()
    {
        var world = await OwnerWorld.CreateAsync(Server);
        using var anonymous = Server.CreateClient();
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var operations = Operations(document).ToList();
        var unclassified = operations.Where(o => !Known.Contains(o.Id) || o.PathParameters.Any(p => world.PathValue(o.Path, p) is null)).Select(o => $"{o.Method} {o.Path} ({o.Id})").ToList();
        Assert.True(unclassified.Count == 0, "Operations the probe cannot classify; add them to Known (and Open if legitimately open): " + string.Join(", ", unclassified));
        var auditsReads = AuditedReads();
        var failures = Open.Where(o => o.Value.NotAuditedBecause is not null && auditsReads.Contains(o.Key))
            .Select(o => $"{o.Key}: its open rule says '{o.Value.NotAuditedBecause}', but the server audits its reads; drop the stale reason").ToList();

        var callers = await CallersAsync(world, anonymous);
        var probes = new List<Probe>();
        foreach (var operation in operations)
        {
            foreach (var caller in callers)
            {
                var purpose = PurposePrefix + (probes.Count + 1).ToString(CultureInfo.InvariantCulture);
                using var request = world.Request(operation, purpose);
                var sent = request.RequestUri!.ToString() + (request.Content is null ? "" : await request.Content.ReadAsStringAsync());
                using var response = await caller.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var refused = status is 401 or 403 or 404;

                // The server's audit policy (AuditMiddleware): refusals, writes, and reads of endpoints marked AuditReads.
                var audited = refused || operation.Method is not "GET" || auditsReads.Contains(operation.Id);
                probes.Add(new Probe(caller, operation, purpose, status, audited));
                var where = $"{caller.Name} {operation.Method} {operation.Path}";
                var open = Open.TryGetValue(operation.Id, out var rule) && rule.AppliesTo(caller.Role, caller.Relation) ? rule : null;
                if (open is null && !(caller.Relation == Relation.Anonymous ? status == 401 : refused))
                {
                    failures.Add($"{where}: {status} {Truncate(body)}");
                }

                var mayEcho = open?.MayEchoWhatWasSent ?? true;
                if (open?.MaySeeOwnerData(caller.Role) != true
                    && world.OwnerData.FirstOrDefault(d => body.Contains(d, StringComparison.Ordinal) && !(mayEcho && sent.Contains(d, StringComparison.Ordinal))) is { } leaked)
                {
                    failures.Add($"{where}: answer holds owner data '{leaked}'");
                }

                if (!audited && open?.NotAuditedBecause is null)
                {
                    failures.Add($"{where}: answered {status} without an audit entry, and its open rule does not say why the audit policy leaves it out");
                }

                if (!audited && world.HoldsParticipantData(body))
                {
                    failures.Add($"{where}: answer reads participant data, but the server does not audit this kind of read: {Truncate(body)}");
                }
            }
        }

        var log = Server.Services.GetRequiredService<AuditLog>();
        var entries = (await log.QueryAsync(new AuditQuery(Limit: 10_000)))
            .Where(e => e.Purpose?.StartsWith(PurposePrefix, StringComparison.Ordinal) == true)
            .ToLookup(e => e.Purpose!, StringComparer.Ordinal);
        foreach (var probe in probes)
        {
            // A bulk upload that wrote rows also has an entry per committed chunk, written with the rows: same caller,
            // same purpose, outcome "committed", no status code. The request's own entry is the one checked below.
            var committed = entries[probe.Purpose].Where(e => e.Outcome == "committed").ToList();
            var found = entries[probe.Purpose].Where(e => e.Outcome != "committed").ToList();
            var where = $"{probe.Caller.Name} {probe.Operation.Method} {probe.Operation.Path} {probe.Status}";
            if (committed.Any(c => !probe.Operation.Id.EndsWith("InBulk", StringComparison.Ordinal) || probe.Status != 200
                || c.Subject != probe.Caller.Subject || c.OrganisationId != probe.Caller.OrganisationId || c.StatusCode is not null))
            {
                failures.Add($"{where}: a chunk entry that is not its own bulk upload's");
            }

            if (!probe.Audited)
            {
                // The open rule's reason claims the policy leaves this out; an entry would make the reason a lie.
                if (found.Count != 0)
                {
                    failures.Add($"{where}: audited, though its open rule says '{Open[probe.Operation.Id].NotAuditedBecause}'");
                }

                continue;
            }

            if (found.Count != 1 || found[0] is not { } entry
                || entry.Subject != probe.Caller.Subject || entry.OrganisationId != probe.Caller.OrganisationId || entry.Role != probe.Caller.Role
                || entry.Authentication != probe.Caller.Authentication || entry.StatusCode != probe.Status
                || AsOpenApiPath(entry.Endpoint)?.TrimEnd('/') != $"{probe.Operation.Method} {probe.Operation.Path}".TrimEnd('/'))
            {
                failures.Add($"{where}: not audited as itself; entries with its purpose: " +
                    string.Join(" | ", found.Select(e => $"{e.Subject} {e.OrganisationId} {e.Role} {e.Authentication} {e.Endpoint} {e.StatusCode}")));
            }
        }

        var refusedCount = probes.Count(p => p.Status is 401 or 403 or 404);
        var auditedCount = probes.Count(p => p.Audited);
        output.WriteLine(
            $"{operations.Count} operations, {callers.Count} callers ({callers.Count(c => c.Authentication == "api-key")} API keys, {callers.Count(c => c.Authentication == "jwt")} JWTs, 1 anonymous): " +
            $"{probes.Count} probes, {refusedCount} refused (401/403/404), {probes.Count - refusedCount} answered by operations listed as open.");
        output.WriteLine(
            $"{auditedCount} probes of audited kinds (refusals, writes, participant-data reads), each looked up in the audit log by its own purpose; " +
            $"{probes.Count - auditedCount} answered reads of kinds the audit policy leaves out, each checked for a stated reason and for no participant data.");
        foreach (var caller in callers)
        {
            caller.Client.Dispose();
        }

        Assert.Equal(operations.Count * callers.Count, probes.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True((await log.VerifyAsync()).IsIntact);
    }

    /// <summary>
    /// Anonymous, then every role of B and X (admin: of the platform) twice: with an API key and with a JWT whose
    /// identity-provider role maps to it, so both ways in are held to the same scope checks.
    /// </summary>
    private async Task<List<ProbeCaller>> CallersAsync(OwnerWorld world, HttpClient anonymous)
    {
        var idpRoles = JwtServer.Settings("")
            .Where(s => s.Key.StartsWith(RoleMapPrefix, StringComparison.Ordinal))
            .ToDictionary(s => s.Value!, s => s.Key[RoleMapPrefix.Length..], StringComparer.Ordinal);
        var callers = new List<ProbeCaller> { new(anonymous, "anonymous", null, null, Relation.Anonymous, null) };
        foreach (var (organisation, relation) in new[] { (world.ProviderB, Relation.SameContractProvider), (world.Unrelated, Relation.Unrelated) })
        {
            foreach (var role in Roles.All)
            {
                // Admin belongs to the platform organisation alone, which has no part in the contract: probed once, as unrelated.
                if (role == Roles.Admin && relation != Relation.Unrelated)
                {
                    continue;
                }

                var organisationId = role == Roles.Admin ? PlatformOrganisation.DefaultId : organisation;
                var key = await Server.CallerForAsync(organisationId, role);
                callers.Add(new(key.Client, key.KeyId, role, organisationId, relation, "api-key"));
                Assert.True(idpRoles.TryGetValue(role, out var idpRole), $"JwtServer.Settings maps no identity-provider role to '{role}'; the probe needs one to sign its token");
                var subject = $"probe.{role}.{relation}".ToLowerInvariant();
                callers.Add(new(jwt.ClientWithToken(jwt.Token(JwtServer.Claims(subject, organisationId, idpRole))), subject, role, organisationId, relation, "jwt"));
            }
        }

        return callers;
    }

    /// <summary>The operations whose successful reads the server audits: those marked <see cref="AuditReadsMetadata"/>.</summary>
    private HashSet<string> AuditedReads() =>
        Server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<AuditReadsMetadata>() is not null)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The audit names a route as routing does (<c>{**path}</c> for a catch-all); OpenAPI names it <c>{path}</c>.</summary>
    private static string? AsOpenApiPath(string? endpoint) => endpoint?.Replace("{**", "{", StringComparison.Ordinal);

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "…";

    /// <summary>A participant field in any JSON answer, whoever the participant is.</summary>
    [GeneratedRegex("\"(pseudonym|participantId)\"\\s*:\\s*\"", RegexOptions.IgnoreCase)]
    private static partial Regex ParticipantField();

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

        /// <summary>The Idempotency-Key of a bulk upload A sent: only A may ask how far it got.</summary>
        public required string UploadKey { get; init; }

        public string ProviderA => Scenario.ProviderA.OrganisationId;

        public string ProviderB => Scenario.ProviderB.OrganisationId;

        /// <summary>A's participant data: none of it may appear in a non-owner's answer unless the probe sent it.</summary>
        public required IReadOnlyList<string> OwnerData { get; init; }

        /// <summary>A's and B's pseudonyms and participant ids: an answer holding any of them reads participant data.</summary>
        public required IReadOnlyList<string> Participants { get; init; }

        /// <summary>
        /// Whether an answer shows participant data — anyone's, B's own included, since the audit duty is about
        /// reading children's records, not about whose they are.
        /// </summary>
        public bool HoldsParticipantData(string body) =>
            Participants.Any(p => body.Contains(p, StringComparison.Ordinal)) || ParticipantField().IsMatch(body);

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

            // B's own participant, so B's legitimate reads of its share return participant data the audit must see.
            var ownPseudonym = "B-OWN-" + Guid.NewGuid().ToString("N")[..8];
            var ownParticipantId = await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, ownPseudonym);
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
            var uploadKey = "probe-upload-" + Guid.NewGuid().ToString("N");
            using var bulk = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contractId}/measurements:bulk") { Content = ContractScenario.JsonLines(["{}"]) };
            bulk.Headers.Add("Idempotency-Key", uploadKey);
            using var uploaded = await scenario.ProviderA.Client.SendAsync(bulk);
            Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
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
                UploadKey = uploadKey,
                OwnerData = owned,
                Participants = [pseudonym, participantId, ownPseudonym, ownParticipantId],
            };
        }

        /// <summary>The owner's real id for a path parameter, or null when the probe does not know the parameter.</summary>
        public string? PathValue(string path, string parameter) => parameter switch
        {
            "contractId" => ContractId,
            "organisationId" => ProviderA,
            "templateId" => ServerFactory.TemplateId,
            "version" => "1.0.0",
            "path" when path.StartsWith("/api/templates/", StringComparison.Ordinal) => $"schemas/{ServerFactory.TemplateId}/{Core.Templates.TemplateLoader.ManifestFileName}",
            "participantId" => ParticipantId,
            "pseudonym" => Pseudonym,
            "decisionId" => DecisionId,
            "runId" => RunId,
            "keyId" => KeyId,
            "providerId" => ProviderA,
            "period" => "2022-06",
            "uploadKey" => UploadKey,
            _ => null,
        };

        /// <summary>The probe's request, with a purpose unique to it, so its audit entry can be found as its own.</summary>
        public HttpRequestMessage Request(Operation operation, string purpose)
        {
            // A catch-all {**path} takes its slashes as they are; escaped, they would name no file.
            var path = operation.PathParameters.Aggregate(operation.Path, (p, name) => p.Replace(
                "{" + name + "}", Uri.EscapeDataString(PathValue(operation.Path, name)!).Replace(name == "path" ? "%2F" : "/", "/", StringComparison.Ordinal), StringComparison.Ordinal));
            var query = operation.QueryParameters.Select(q => (q, Value: QueryValue(operation.Path, q))).Where(q => q.Value is not null).Select(q => $"{q.q}={Uri.EscapeDataString(q.Value!)}").ToList();
            var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + (query.Count == 0 ? "" : "?" + string.Join('&', query)));
            request.Headers.Add("X-Purpose", purpose);
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

        private string? QueryValue(string path, string name) => name switch
        {
            "period" => "2022-06",
            "participant" => Pseudonym,
            "contractId" => ContractId,
            "organisation" => ProviderA,
            "from" or "to" when path.StartsWith("/api/templates/", StringComparison.Ordinal) => "1.0.0",
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
