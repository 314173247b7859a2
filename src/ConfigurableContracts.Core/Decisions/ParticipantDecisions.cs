using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// The participant part of a run: what every participant is evaluated against, and the state that depends on
/// participant order (decision numbers, the ledger's running caps, the cohort the cohort workflows count).
/// </summary>
/// <remarks>
/// <see cref="Evaluate"/> is the pure part and runs on all cores; <see cref="Decide"/> runs after it, in participant order.
/// </remarks>
internal sealed class ParticipantDecisions(
    RunContext run, LedgerState ledger, List<TemplateWorkflow> workflows, Dictionary<string, object?> contractValues, CohortTargetSpec? target, Utf8Text contractText)
{
    public RunContext Run => run;

    public Utf8Text ContractText => contractText;

    /// <summary>One member per participant whose target outcome was decided, in participant order.</summary>
    public List<Dictionary<string, object?>> Cohort { get; } = [];

    /// <summary>Thread-safe: reads only what the batch read and the run's fixed settings.</summary>
    public EvaluatedParticipant Evaluate(
        ParticipantRow participant, Dictionary<string, MeasurementRow>? latest, Dictionary<(string, string, string), CurrentDecision> current)
    {
        latest ??= [];
        var plan = run.Template.MeasurementPlan;
        var snapshot = InputSnapshot.Create(run.AsOf, writer =>
        {
            writer.WriteString("contractInput", run.ContractHash);
            writer.WritePropertyName("participant");
            writer.WriteRawValue(participant.Record, skipInputValidation: true);
            foreach (var point in plan.Points)
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
        var measurementPoint = plan.Points.LastOrDefault(p => latest.ContainsKey(p.Id))?.Id;
        using var record = JsonDocument.Parse(participant.Record);
        var documents = new Dictionary<string, JsonDocument>(StringComparer.Ordinal);
        try
        {
            foreach (var (point, measurement) in latest)
            {
                documents[point] = JsonDocument.Parse(measurement.Document);
            }

            var outcomes = new List<EvaluatedOutcome>(workflows.Count * 8);
            foreach (var workflow in workflows)
            {
                var inputs = WorkflowInputs.ForParticipant(workflow, contractValues[workflow.Name], record.RootElement, documents, plan, run.AsOf);
                foreach (var result in workflow.Compiled.Evaluate(workflow.Name, inputs))
                {
                    var output = DecisionSerialisation.OutputJson(result.ActionOutput);
                    current.TryGetValue((participant.Id, workflow.Name, result.RuleName), out var existing);
                    var decision = DecisionChanges.IsUnchanged(existing, snapshot, result.Status, output)
                        ? null
                        : DecisionChanges.NewDecision(run, result, workflow.Name, participant.Id, participant.ProviderId, measurementPoint, snapshot, output, existing);
                    outcomes.Add(new EvaluatedOutcome(workflow.Name, result, decision));
                }
            }

            var exit = target?.ExitReasonField is { } field && record.RootElement.TryGetProperty(field, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            return new EvaluatedParticipant(participant, snapshot, measurementPoint, exit, [.. outcomes]);
        }
        finally
        {
            foreach (var document in documents.Values)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>Not thread-safe: numbers the new decisions, books their ledger entries and adds the cohort member.</summary>
    public void Decide(EvaluationBatch batch, EvaluatedParticipant evaluated)
    {
        var participant = evaluated.Participant;
        foreach (var outcome in evaluated.Outcomes)
        {
            var status = outcome.Result.Status;
            run.Counted(status);
            if (outcome.Decision is null)
            {
                run.Unchanged++;
            }
            else
            {
                var decision = DecisionChanges.Numbered(outcome.Decision, ++run.Sequence);
                batch.Decisions.Add(decision);
                batch.Inputs.TryAdd(evaluated.Snapshot.InputHash, new Utf8Text(evaluated.Snapshot.Utf8));
                if (ledger.Model.Find(outcome.Workflow, outcome.Result.RuleName) is { } payment)
                {
                    batch.Ledger.AddRange(ledger.Apply(payment, decision.Id, participant.Id, participant.ProviderId, status, outcome.Result.ActionOutput));
                }
            }

            if (target is not null && outcome.Workflow == target.Workflow && outcome.Result.RuleName == target.Rule)
            {
                var member = new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["pseudonym"] = participant.Pseudonym,
                    ["providerId"] = participant.ProviderId,
                    // The cohort rules read a member's status as text, the form it is stored and shown in.
                    [target.MemberStatusProperty] = status.ToString(),
                };
                if (target.ExitReasonField is { } exitReason)
                {
                    member[exitReason] = evaluated.ExitReason;
                }

                Cohort.Add(member);
            }
        }
    }
}

/// <summary>One participant's snapshot and rule results, computed without touching shared state.</summary>
internal sealed record EvaluatedParticipant(ParticipantRow Participant, InputSnapshot Snapshot, string? Point, string? ExitReason, EvaluatedOutcome[] Outcomes);

/// <summary>
/// One rule result. <see cref="Decision"/> is null when the current decision stands; otherwise it is the new
/// decision, complete but for its sequence number, which only the ordered pass can give.
/// </summary>
internal sealed record EvaluatedOutcome(string Workflow, RuleResultTree Result, DecisionRow? Decision);
