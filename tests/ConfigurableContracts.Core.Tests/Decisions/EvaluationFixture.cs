using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Tests.Data;
using ConfigurableContracts.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConfigurableContracts.Core.Tests.Decisions;

/// <summary>
/// A small payment template (baseline and a 3-month follow-up; activity and outcome payments; a cohort target) on a
/// migrated database with one active contract, ready for participants and measurements.
/// </summary>
internal sealed class EvaluationFixture : IAsyncDisposable
{
    public const string ContractId = "contract-1";
    public const string ProviderA = "provider-a";
    public const string ProviderB = "provider-b";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cc_eval_{Guid.NewGuid():N}");
    private readonly TestDatabase _database;
    private string _caps = "";

    private EvaluationFixture(TestDatabase database, DbConnectionFactory connections)
    {
        _database = database;
        Connections = connections;
    }

    public DbConnectionFactory Connections { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2022, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public TemplateCatalog Catalog { get; private set; } = null!;

    public BundleTemplates Bundles { get; private set; } = null!;

    public TemplateVersion Template => Catalog.Templates[0];

    public ContractEvaluator Evaluator => new(Connections, Bundles, Options.Create(new SchedulerOptions()), Time, NullLogger<ContractEvaluator>.Instance);

    public static async Task<EvaluationFixture> CreateAsync(TestDatabase database, DbConnectionFactory connections, string caps = """{ "perProvider": 100000, "perContract": 1000000 }""")
    {
        var fixture = new EvaluationFixture(database, connections);
        fixture.WriteTemplate();
        fixture.Catalog = new TemplateCatalog(new TemplateLoader(fixture._root, new TemplateOptions()), NullLogger<TemplateCatalog>.Instance);
        fixture.Catalog.Reload();
        Assert.True(fixture.Catalog.Templates.Count == 1, string.Join(Environment.NewLine, fixture.Catalog.AllDiagnostics.SelectMany(d => d.Value)));
        fixture.Bundles = new BundleTemplates(fixture.Catalog, connections);
        await using (var connection = await connections.OpenAsync())
        {
            await ContractSeeder.AddOrganisationsAsync(connection, null, ["commissioner", ProviderA, ProviderB], DateTimeOffset.UtcNow);
        }

        fixture._caps = caps;
        await fixture.AddContractAsync(ContractId);
        return fixture;
    }

    /// <summary>Another active contract of the same commissioner, template and providers.</summary>
    public async Task AddContractAsync(string contractId)
    {
        await using var connection = await Connections.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var parameters = $$"""{"prices":{"activity":1000,"outcome":2500.50},"caps":{{_caps}},"targetShare":0.5,"excludedExitReasons":["moved"]}""";
        await ContractSeeder.AddContractAsync(connection, transaction, Connections.Dialect, Template,
            new SeededContract(contractId, "commissioner", [ProviderA, ProviderB]) { Title = "Test contract", Parameters = parameters, At = DateTimeOffset.UtcNow });
        await transaction.CommitAsync();
    }

    public async Task<string> EnrolAsync(string pseudonym, string provider, string? exitReason = null, string contractId = ContractId)
    {
        var id = $"p-{pseudonym}";
        var record = exitReason is null
            ? $$"""{"pseudonym":"{{pseudonym}}","providerId":"{{provider}}"}"""
            : $$"""{"pseudonym":"{{pseudonym}}","providerId":"{{provider}}","exitReason":"{{exitReason}}"}""";
        await using var connection = await Connections.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES (@id, @contractId, @provider, @pseudonym, @enrolled, @record, 1, @now, 'test', @now)
            """, new { id, contractId, provider, pseudonym, enrolled = new DateOnly(2022, 1, 10), record, now = DateTimeOffset.UtcNow });
        return id;
    }

    public async Task MeasureAsync(string participantId, string point, int score, int version = 1)
    {
        await using var connection = await Connections.OpenAsync();
        var (provider, contractId) = await connection.QuerySingleAsync<(string, string)>("SELECT provider_id, contract_id FROM participants WHERE id = @participantId", new { participantId });
        await connection.ExecuteAsync(
            """
            INSERT INTO measurements (id, participant_id, contract_id, provider_id, point, version, measured_on, document, recorded_at, recorded_by)
            VALUES (@id, @participantId, @contractId, @provider, @point, @version, @measuredOn, @document, @now, 'test')
            """, new
            {
                id = Guid.NewGuid().ToString("N"), participantId, contractId, provider, point, version,
                measuredOn = point == "baseline" ? new DateOnly(2022, 1, 12) : new DateOnly(2022, 4, 12),
                document = $$"""{"point":"{{point}}","score":{{score}}}""", now = DateTimeOffset.UtcNow,
            });
    }

    /// <summary>
    /// Enrols <paramref name="count"/> participants <c>p-HV-00000</c>… (id order is enrolment order), alternating
    /// providers, each with a baseline of 20 and a follow-up of 10, in one transaction.
    /// </summary>
    public async Task EnrolImprovedAsync(int count)
    {
        var now = DateTimeOffset.UtcNow;
        var people = Enumerable.Range(0, count).Select(i => (Pseudonym: $"HV-{i:D5}", Provider: i % 2 == 0 ? ProviderA : ProviderB)).ToList();
        await using var connection = await Connections.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
            VALUES (@id, @ContractId, @provider, @pseudonym, @enrolled, @record, 1, @now, 'test', @now)
            """,
            people.Select(p => new
            {
                id = $"p-{p.Pseudonym}", ContractId, provider = p.Provider, pseudonym = p.Pseudonym, enrolled = new DateOnly(2022, 1, 10),
                record = $$"""{"pseudonym":"{{p.Pseudonym}}","providerId":"{{p.Provider}}"}""", now,
            }), transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO measurements (id, participant_id, contract_id, provider_id, point, version, measured_on, document, recorded_at, recorded_by)
            VALUES (@id, @participantId, @ContractId, @provider, @point, 1, @measuredOn, @document, @now, 'test')
            """,
            people.SelectMany(p => new[] { ("baseline", 20, new DateOnly(2022, 1, 12)), ("followUp", 10, new DateOnly(2022, 4, 12)) }.Select(m => new
            {
                id = $"m-{p.Pseudonym}-{m.Item1}", participantId = $"p-{p.Pseudonym}", ContractId, provider = p.Provider, point = m.Item1, measuredOn = m.Item3,
                document = $$"""{"point":"{{m.Item1}}","score":{{m.Item2}}}""", now,
            })), transaction);
        await transaction.CommitAsync();
    }

    public Task<EvaluationSummary> EvaluateAsync(DateOnly asOf, string runId = "run-1", string contractId = ContractId) =>
        Evaluator.EvaluateAsync(contractId, runId, asOf, progress: null, CancellationToken.None);

    public async Task<List<(string Outcome, string Status, string? Output, string? SupersededBy, string? ParticipantId, string? ProviderId)>> DecisionsAsync()
    {
        await using var connection = await Connections.OpenAsync();
        return (await connection.QueryAsync<(string, string, string?, string?, string?, string?)>(
            "SELECT outcome, status, action_output, superseded_by, participant_id, provider_id FROM decisions ORDER BY sequence")).AsList();
    }

    public async Task<List<(string Kind, string EntryType, decimal Requested, decimal Amount, string Period, string? CapNote)>> LedgerAsync()
    {
        await using var connection = await Connections.OpenAsync();
        return (await connection.QueryAsync<(string, string, decimal, decimal, string, string?)>(
            "SELECT kind, entry_type, requested_amount, amount, period, cap_note FROM ledger_entries ORDER BY sequence")).AsList();
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private void WriteTemplate()
    {
        Write("schemas/pay/template.json", """
            {
              "id": "pay", "version": "1.0.0", "title": { "en": "Payments" }, "description": { "en": "Evaluation tests' template." },
              "schemas": { "contract": "contract.schema.json", "participant": "participant.schema.json", "measurement": "measurement.schema.json", "member": "member.schema.json" },
              "rules": { "folder": "../../rules/pay" },
              "participantFields": { "exitReason": "exitReason" },
              "workflows": [
                { "name": "Outcomes", "file": "outcomes.json", "scope": "participant",
                  "inputs": { "contract": "contract", "participant": "participant", "baseline": "measurement", "followUp": "measurement", "asOf": "date" } },
                { "name": "Cohort", "file": "cohort.json", "scope": "cohort", "inputs": { "contract": "contract", "cohort": "member[]", "asOf": "date" } }
              ],
              "measurementPlan": { "points": [
                { "id": "baseline", "input": "baseline", "offsetMonths": 0, "windowDaysBefore": 0, "windowDaysAfter": 30 },
                { "id": "followUp", "input": "followUp", "offsetMonths": 3, "windowDaysBefore": 14, "windowDaysAfter": 30 } ] },
              "paymentModel": { "currency": "SEK",
                "payments": [ { "kind": "activity", "workflow": "Outcomes", "rule": "ActivityPayment" }, { "kind": "outcome", "workflow": "Outcomes", "rule": "OutcomePayment" } ],
                "caps": { "perProviderParameter": "caps.perProvider", "perContractParameter": "caps.perContract", "order": ["perProvider", "perContract"] } },
              "cohortTarget": { "workflow": "Cohort", "rule": "TargetReached", "targetOutcome": { "workflow": "Outcomes", "rule": "Improved" },
                "memberStatusProperty": "improved", "targetShareParameter": "targetShare", "excludedExitReasonsParameter": "excludedExitReasons" }
            }
            """);
        Write("schemas/pay/contract.schema.json", """
            { "type": "object", "properties": {
                "prices": { "type": "object", "properties": { "activity": { "type": "number" }, "outcome": { "type": "number" } } },
                "caps": { "type": "object", "properties": { "perProvider": { "type": "number" }, "perContract": { "type": "number" } } },
                "targetShare": { "type": "number", "minimum": 0, "maximum": 1 },
                "excludedExitReasons": { "type": "array", "items": { "type": "string" } } } }
            """);
        Write("schemas/pay/participant.schema.json", """
            { "type": "object", "properties": { "pseudonym": { "type": "string" }, "providerId": { "type": "string" }, "exitReason": { "type": "string" } } }
            """);
        Write("schemas/pay/measurement.schema.json", """
            { "type": "object", "properties": { "point": { "type": "string" }, "score": { "type": "integer" } } }
            """);
        Write("schemas/pay/member.schema.json", """
            { "type": "object", "properties": { "pseudonym": { "type": "string" }, "providerId": { "type": "string" }, "exitReason": { "type": ["string", "null"] }, "improved": { "type": "string" } } }
            """);
        Write("rules/pay/outcomes.json", """
            { "WorkflowName": "Outcomes", "Rules": [
              { "RuleName": "Improved", "Expression": "followUp.score < baseline.score" },
              { "RuleName": "ActivityPayment", "Expression": "followUp != null",
                "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.prices.activity" } } } },
              { "RuleName": "OutcomePayment", "Expression": "followUp.score < baseline.score",
                "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.prices.outcome" } } } } ] }
            """);
        Write("rules/pay/cohort.json", """
            { "WorkflowName": "Cohort",
              "GlobalParams": [
                { "Name": "counted", "Expression": "cohort.Where(m => m.exitReason == null || !contract.excludedExitReasons.Contains(m.exitReason))" },
                { "Name": "share", "Expression": "Convert.ToDecimal(counted.Count(m => m.improved == \"Achieved\")) / Math.Max(counted.Count(), 1)" } ],
              "Rules": [ { "RuleName": "TargetReached", "Expression": "share >= contract.targetShare",
                "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "share" } },
                             "OnFailure": { "Name": "OutputExpression", "Context": { "Expression": "share" } } } } ] }
            """);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
