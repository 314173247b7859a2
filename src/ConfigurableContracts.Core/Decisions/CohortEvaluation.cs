using System.Data.Common;
using System.Text.Json;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// The cohort workflows of a run, evaluated once all its participants are decided: for the whole contract and for
/// each provider, in provider order, over the members the participant pass collected; committed as one batch.
/// </summary>
internal static class CohortEvaluation
{
    public static async Task EvaluateAsync(
        DbConnection connection, EvaluationStore store, RunContext run,
        List<Dictionary<string, object?>> cohort, JsonElement parameters, Utf8Text contractText, CancellationToken cancellationToken)
    {
        var workflows = run.Template.Workflows.Where(w => !w.IsParticipantScoped).ToList();
        if (workflows.Count == 0)
        {
            return;
        }

        var current = (await EvaluationStore.CurrentCohortDecisionsAsync(connection, run.ContractId).ConfigureAwait(false))
            .ToDictionary(d => (d.ProviderId ?? "", d.Workflow, d.Outcome));
        var batch = new EvaluationBatch();
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
            batch.Inputs[snapshot.InputHash] = new Utf8Text(snapshot.Utf8);
            foreach (var workflow in workflows)
            {
                var inputs = WorkflowInputs.ForCohort(workflow, parameters, run.AsOf, members);
                foreach (var result in workflow.Compiled.Evaluate(workflow.Name, inputs))
                {
                    var output = DecisionSerialisation.OutputJson(result.ActionOutput);
                    current.TryGetValue((provider ?? "", workflow.Name, result.RuleName), out var existing);
                    if (DecisionChanges.IsUnchanged(existing, snapshot, result.Status, output))
                    {
                        run.Unchanged++;
                        continue;
                    }

                    batch.Decisions.Add(DecisionChanges.Numbered(
                        DecisionChanges.NewDecision(run, result, workflow.Name, null, provider, null, snapshot, output, existing), ++run.Sequence));
                }
            }
        }

        await EvaluationPipeline.CommitAsync(store, connection, run, batch, cancellationToken).ConfigureAwait(false);
    }
}
