using System.Text.Json;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// A workflow's inputs, each given its value by its declared type and source, never by its name: the manifest is
/// the only place a template says what its inputs are, and the loader refused any input that no source can fill.
/// </summary>
internal static class WorkflowInputs
{
    /// <summary>A participant workflow's inputs: the evaluation date, the contract, the participant record and its measurements.</summary>
    /// <remarks>
    /// The participant record and measurements are handed over as JSON, not converted: the workflow's typed code reads
    /// the fields its rules use in place (see <c>TypedTier</c>), so <paramref name="record"/> and the documents must
    /// stay undisposed until the inputs have been evaluated.
    /// </remarks>
    public static RuleInputs ForParticipant(
        TemplateWorkflow workflow, object? contract, JsonElement record, IReadOnlyDictionary<string, JsonDocument> measurements, MeasurementPlan plan, DateOnly asOf)
    {
        var inputs = new RuleInputs(workflow.InputTypes);
        foreach (var name in workflow.InputTypes.Keys)
        {
            switch (workflow.SourceOf(name))
            {
                case InputSource.EvaluationDate:
                    inputs.Set(name, asOf.ToDateTime(TimeOnly.MinValue));
                    break;
                case InputSource.Contract:
                    inputs.Set(name, contract);
                    break;
                case InputSource.Participant:
                    inputs.SetDeferredJson(name, record);
                    break;
                case InputSource.Measurement:
                    // A loop, not LINQ: this runs for every input of every participant of a night.
                    foreach (var point in plan.Points)
                    {
                        if (point.Input == name && measurements.TryGetValue(point.Id, out var document))
                        {
                            inputs.SetDeferredJson(name, document.RootElement);
                            break;
                        }
                    }

                    break;
            }
        }

        return inputs;
    }

    /// <summary>A cohort workflow's inputs, by declared type: the evaluation date, the contract and the members.</summary>
    public static RuleInputs ForCohort(TemplateWorkflow workflow, JsonElement parameters, DateOnly asOf, List<Dictionary<string, object?>> members)
    {
        var inputs = new RuleInputs();
        foreach (var name in workflow.InputTypes.Keys)
        {
            switch (workflow.SourceOf(name))
            {
                case InputSource.EvaluationDate:
                    inputs.Set(name, asOf.ToDateTime(TimeOnly.MinValue));
                    break;
                case InputSource.Contract:
                    inputs.Set(name, ContractValue(parameters, workflow));
                    break;
                case InputSource.Cohort:
                    inputs.Set(name, members.Cast<object?>().ToList());
                    break;
            }
        }

        return inputs;
    }

    /// <summary>The contract parameters converted with the type of the workflow's contract input.</summary>
    public static object? ContractValue(JsonElement json, TemplateWorkflow workflow) =>
        workflow.InputTypes.FirstOrDefault(i => workflow.SourceOf(i.Key) == InputSource.Contract).Value is { } type
            ? RuleValues.FromJson(json, type)
            : RuleValues.FromJson(json);
}
