using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using Microsoft.Extensions.Logging;

namespace ConfigurableContracts.Core.Evaluation;

/// <summary>
/// Evaluates one contract as of a date: every participant through the template's participant workflows, then the
/// cohort workflows for the whole contract and per provider, writing decisions and ledger entries.
/// </summary>
/// <remarks>
/// Idempotent and crash-safe by construction: a decision is written only when its data, status or output differs
/// from the current one, its id is a hash of what it decides and which decision it supersedes, and each batch of
/// participants commits atomically. A run retried after a crash therefore rewrites nothing it already committed.
/// </remarks>
public sealed class ContractEvaluator(DbConnectionFactory connections, BundleTemplates bundles, TimeProvider time, ILogger<ContractEvaluator> logger)
{
    /// <summary>Participants per read and per write transaction.</summary>
    public const int BatchSize = 2000;

    /// <summary>The rule engine's version, recorded on every decision.</summary>
    public static string EngineVersion { get; } =
        typeof(CompiledWorkflowSet).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public async Task<EvaluationSummary> EvaluateAsync(string contractId, string runId, DateOnly asOf, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var store = new EvaluationStore(connections);
        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var contract = await EvaluationStore.ContractAsync(connection, contractId).ConfigureAwait(false)
            ?? throw new ContractNotEvaluableException($"No contract '{contractId}'.");
        if (contract.Status is not ("active" or "closed"))
        {
            throw new ContractNotEvaluableException($"Contract '{contractId}' is {contract.Status}; only active and closed contracts are evaluated.");
        }

        if (contract.RetainedAt is not null)
        {
            // Its participants are gone: a run would decide the cohort from nobody and overwrite the kept outcomes.
            throw new ContractNotEvaluableException($"Contract '{contractId}' had its participant data removed under retention; it is no longer evaluated.");
        }

        var template = await bundles.GetAsync(contract.BundleHash, cancellationToken).ConfigureAwait(false);
        using var parameters = JsonDocument.Parse(contract.Parameters);
        var (contractText, contractHash) = InputSnapshot.ContractPart(contract.Parameters);
        var now = time.GetUtcNow();
        var run = new RunContext(contractId, runId, template, contractHash, asOf, now);
        var ledger = new LedgerState(
            PaymentModel.From(template), parameters.RootElement, contractId, runId, asOf.ToString("yyyy-MM", CultureInfo.InvariantCulture), now,
            await EvaluationStore.PaidByProviderAsync(connection, contractId).ConfigureAwait(false),
            await EvaluationStore.ActiveChargesAsync(connection, contractId).ConfigureAwait(false),
            await EvaluationStore.MaxLedgerSequenceAsync(connection, contractId).ConfigureAwait(false));
        run.Sequence = await EvaluationStore.MaxDecisionSequenceAsync(connection, contractId).ConfigureAwait(false);

        var workflows = template.Workflows.Where(w => w.IsParticipantScoped).ToList();
        var contractValues = workflows.ToDictionary(w => w.Name, w => Convert(parameters.RootElement, w, "contract"));
        var target = CohortTargetSpec.From(template);
        var cohort = new List<Dictionary<string, object?>>();
        var total = await EvaluationStore.CountParticipantsAsync(connection, contractId).ConfigureAwait(false);
        var started = time.GetTimestamp();
        var done = 0;
        var after = "";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var participants = await store.ParticipantsAfterAsync(connection, contractId, after, BatchSize).ConfigureAwait(false);
            if (participants.Count == 0)
            {
                break;
            }

            var last = participants[^1].Id;
            var measurements = LatestByParticipant(await EvaluationStore.MeasurementsAsync(connection, contractId, after, last).ConfigureAwait(false));
            var current = (await EvaluationStore.CurrentDecisionsAsync(connection, contractId, after, last).ConfigureAwait(false))
                .ToDictionary(d => (d.ParticipantId!, d.Workflow, d.Outcome));
            var batch = new Batch();
            batch.Inputs[contractHash] = contractText;
            foreach (var participant in participants)
            {
                var latest = measurements.GetValueOrDefault(participant.Id) ?? [];
                var snapshot = InputSnapshot.Create(asOf, writer =>
                {
                    writer.WriteString("contractInput", contractHash);
                    writer.WritePropertyName("participant");
                    writer.WriteRawValue(participant.Record, skipInputValidation: true);
                    foreach (var point in template.MeasurementPlan.Points)
                    {
                        writer.WritePropertyName(point.Input);
                        if (latest.TryGetValue(point.Id, out var measurement))
                        {
                            writer.WriteRawValue(measurement.Document, skipInputValidation: true);
                        }
                        else
                        {
                            writer.WriteNullValue();
                        }
                    }
                });
                batch.Inputs[snapshot.InputHash] = snapshot.Text;
                var point = template.MeasurementPlan.Points.LastOrDefault(p => latest.ContainsKey(p.Id))?.Id;
                using var record = JsonDocument.Parse(participant.Record);
                foreach (var workflow in workflows)
                {
                    var inputs = ParticipantInputs(workflow, contractValues[workflow.Name], record.RootElement, latest, template.MeasurementPlan, asOf);
                    foreach (var result in workflow.Compiled.Evaluate(workflow.Name, inputs))
                    {
                        var status = Decide(run, batch, ledger, current, result, workflow.Name, participant, point, snapshot);
                        if (target is not null && workflow.Name == target.Workflow && result.RuleName == target.Rule)
                        {
                            cohort.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                            {
                                ["pseudonym"] = participant.Pseudonym,
                                ["providerId"] = participant.ProviderId,
                                ["exitReason"] = record.RootElement.TryGetProperty("exitReason", out var exit) && exit.ValueKind == JsonValueKind.String ? exit.GetString() : null,
                                [target.MemberStatusProperty] = status,
                            });
                        }
                    }
                }
            }

            await WriteAsync(store, connection, run, batch, cancellationToken).ConfigureAwait(false);
            done += participants.Count;
            after = last;
            var seconds = time.GetElapsedTime(started).TotalSeconds;
            progress?.Report(new EvaluationProgress(done, Math.Max(total, done), seconds > 0 ? done / seconds : 0));
        }

        await EvaluateCohortAsync(connection, store, run, cohort, parameters.RootElement, contractText, cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "Evaluated contract {ContractId} as of {AsOf}: {Participants} participants, {Written} decisions written, {Unchanged} unchanged, {Ledger} ledger entries",
            contractId, asOf, done, run.Written, run.Unchanged, run.LedgerWritten);
        return new EvaluationSummary(done, run.Written, run.Unchanged, run.LedgerWritten,
            run.Statuses.GetValueOrDefault("Achieved"), run.Statuses.GetValueOrDefault("NotAchieved"),
            run.Statuses.GetValueOrDefault("NotEvaluable"), run.Statuses.GetValueOrDefault("Error"), run.WriteTime);
    }

    private static async Task EvaluateCohortAsync(
        System.Data.Common.DbConnection connection, EvaluationStore store, RunContext run,
        List<Dictionary<string, object?>> cohort, JsonElement parameters, string contractText, CancellationToken cancellationToken)
    {
        var workflows = run.Template.Workflows.Where(w => !w.IsParticipantScoped).ToList();
        if (workflows.Count == 0)
        {
            return;
        }

        var current = (await EvaluationStore.CurrentCohortDecisionsAsync(connection, run.ContractId).ConfigureAwait(false))
            .ToDictionary(d => (d.ProviderId ?? "", d.Workflow, d.Outcome));
        var batch = new Batch();
        batch.Inputs[run.ContractHash] = contractText;
        var scopes = cohort.Select(m => (string)m["providerId"]!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Prepend(null);
        foreach (var provider in scopes)
        {
            var members = provider is null ? cohort : cohort.Where(m => (string)m["providerId"]! == provider).ToList();
            var snapshot = InputSnapshot.Create(run.AsOf, writer =>
            {
                writer.WriteString("contractInput", run.ContractHash);
                writer.WriteString("providerId", provider);
                writer.WritePropertyName("cohort");
                RuleResultJson.WriteValue(writer, members);
            });
            batch.Inputs[snapshot.InputHash] = snapshot.Text;
            foreach (var workflow in workflows)
            {
                var inputs = new RuleInputs()
                    .Set("asOf", run.AsOf.ToDateTime(TimeOnly.MinValue))
                    .Set("contract", Convert(parameters, workflow, "contract"))
                    .Set(CohortInputName(workflow), members.Cast<object?>().ToList());
                foreach (var result in workflow.Compiled.Evaluate(workflow.Name, inputs))
                {
                    var status = result.Status.ToString();
                    var output = OutputJson(result.ActionOutput);
                    current.TryGetValue((provider ?? "", workflow.Name, result.RuleName), out var existing);
                    if (IsUnchanged(existing, snapshot, status, output))
                    {
                        run.Unchanged++;
                        continue;
                    }

                    batch.Decisions.Add(NewDecision(run, result, workflow.Name, null, provider, null, snapshot, output, existing?.Id));
                }
            }
        }

        await WriteAsync(store, connection, run, batch, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(EvaluationStore store, System.Data.Common.DbConnection connection, RunContext run, Batch batch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await store.WriteAsync(connection, batch.Inputs.Select(i => (i.Key, i.Value)).ToList(), batch.Decisions, batch.Ledger, cancellationToken).ConfigureAwait(false);
        run.WriteTime += Stopwatch.GetElapsedTime(started);
        run.Add(batch);
    }

    /// <summary>Records one participant rule result: a new decision (and ledger entries) unless nothing changed.</summary>
    private static string Decide(
        RunContext run, Batch batch, LedgerState ledger, Dictionary<(string, string, string), CurrentDecision> current,
        RuleResultTree result, string workflow, ParticipantRow participant, string? point, InputSnapshot snapshot)
    {
        var status = result.Status.ToString();
        run.Statuses[status] = run.Statuses.GetValueOrDefault(status) + 1;
        var output = OutputJson(result.ActionOutput);
        current.TryGetValue((participant.Id, workflow, result.RuleName), out var existing);
        if (IsUnchanged(existing, snapshot, status, output))
        {
            run.Unchanged++;
            return status;
        }

        var decision = NewDecision(run, result, workflow, participant.Id, participant.ProviderId, point, snapshot, output, existing?.Id);
        batch.Decisions.Add(decision);
        if (ledger.Model.Find(workflow, result.RuleName) is { } payment)
        {
            batch.Ledger.AddRange(ledger.Apply(payment, decision.Id, participant.Id, participant.ProviderId, status, result.ActionOutput));
        }

        return status;
    }

    /// <summary>Same data, same status, same output: the current decision stands and nothing is written.</summary>
    private static bool IsUnchanged(CurrentDecision? existing, InputSnapshot snapshot, string status, string? output) =>
        existing is not null && existing.DataHash == snapshot.DataHash && existing.Status == status && existing.ActionOutput == output;

    private static DecisionRow NewDecision(
        RunContext run, RuleResultTree result, string workflow, string? participantId, string? providerId, string? point,
        InputSnapshot snapshot, string? output, string? supersedes)
    {
        var status = result.Status.ToString();
        var id = InputSnapshot.Hash(string.Join('|', run.ContractId, participantId, providerId, workflow, result.RuleName, point,
            run.Template.BundleHash, snapshot.DataHash, status, output, supersedes));
        return new DecisionRow(id, ++run.Sequence, run.ContractId, participantId, providerId, workflow, result.RuleName, point, status, output,
            ResultJson(result), run.Template.BundleHash, EngineVersion, snapshot.InputHash, snapshot.DataHash, run.AsOf, run.RunId, run.Now, supersedes);
    }

    internal static RuleInputs ParticipantInputs(
        TemplateWorkflow workflow, object? contract, JsonElement record, IReadOnlyDictionary<string, MeasurementRow> latest, MeasurementPlan plan, DateOnly asOf)
    {
        var inputs = new RuleInputs().Set("asOf", asOf.ToDateTime(TimeOnly.MinValue)).Set("contract", contract);
        if (workflow.InputTypes.TryGetValue("participant", out var participantType))
        {
            inputs.Set("participant", RuleValues.FromJson(record, participantType));
        }

        foreach (var point in plan.Points)
        {
            if (workflow.InputTypes.TryGetValue(point.Input, out var type) && latest.TryGetValue(point.Id, out var measurement))
            {
                using var document = JsonDocument.Parse(measurement.Document);
                inputs.Set(point.Input, RuleValues.FromJson(document.RootElement, type));
            }
        }

        return inputs;
    }

    /// <summary>The newest version of each point's measurement, per participant.</summary>
    private static Dictionary<string, Dictionary<string, MeasurementRow>> LatestByParticipant(List<MeasurementRow> rows)
    {
        var result = new Dictionary<string, Dictionary<string, MeasurementRow>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!result.TryGetValue(row.ParticipantId, out var points))
            {
                result[row.ParticipantId] = points = new Dictionary<string, MeasurementRow>(StringComparer.Ordinal);
            }

            points.TryAdd(row.Point, row);
        }

        return result;
    }

    private static object? Convert(JsonElement json, TemplateWorkflow workflow, string input) =>
        workflow.InputTypes.TryGetValue(input, out var type) ? RuleValues.FromJson(json, type) : RuleValues.FromJson(json);

    private static string CohortInputName(TemplateWorkflow workflow) =>
        workflow.InputTypes.FirstOrDefault(i => i.Value.Kind == RuleTypeKind.Array).Key ?? "cohort";

    internal static string? OutputJson(object? output)
    {
        if (output is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RuleResultJson.WriteValue(writer, output);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static string ResultJson(RuleResultTree result)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RuleResultJson.WriteResult(writer, result);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>What one write transaction carries.</summary>
    private sealed class Batch
    {
        public Dictionary<string, string> Inputs { get; } = new(StringComparer.Ordinal);

        public List<DecisionRow> Decisions { get; } = [];

        public List<LedgerRow> Ledger { get; } = [];
    }

    /// <summary>State shared by every batch of one run.</summary>
    private sealed class RunContext(string contractId, string runId, TemplateVersion template, string contractHash, DateOnly asOf, DateTimeOffset now)
    {
        public string ContractId { get; } = contractId;

        public string RunId { get; } = runId;

        public TemplateVersion Template { get; } = template;

        public string ContractHash { get; } = contractHash;

        public DateOnly AsOf { get; } = asOf;

        public DateTimeOffset Now { get; } = now;

        public long Sequence { get; set; }

        public int Written { get; private set; }

        public int Unchanged { get; set; }

        public TimeSpan WriteTime { get; set; }

        public int LedgerWritten { get; private set; }

        public Dictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);

        public void Add(Batch batch)
        {
            Written += batch.Decisions.Count;
            LedgerWritten += batch.Ledger.Count;
        }
    }
}

/// <summary>Which outcome the cohort target counts, and under which property cohort members carry its status.</summary>
internal sealed record CohortTargetSpec(string Workflow, string Rule, string MemberStatusProperty)
{
    public static CohortTargetSpec? From(TemplateVersion template)
    {
        if (!template.Manifest.TryGetProperty("cohortTarget", out var cohort) || cohort.ValueKind != JsonValueKind.Object
            || !cohort.TryGetProperty("targetOutcome", out var outcome) || outcome.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var workflow = outcome.TryGetProperty("workflow", out var w) ? w.GetString() : null;
        var rule = outcome.TryGetProperty("rule", out var r) ? r.GetString() : null;
        if (workflow is null || rule is null)
        {
            return null;
        }

        // By default a member carries the status under the rule's name in camelCase (BrokeNegativeDevelopment →
        // brokeNegativeDevelopment), which is what a cohort-member schema naturally calls it.
        var property = cohort.TryGetProperty("memberStatusProperty", out var p) && p.GetString() is { } named
            ? named
            : char.ToLowerInvariant(rule[0]) + rule[1..];
        return new CohortTargetSpec(workflow, rule, property);
    }
}
