using System.Text.Json;
using ConfigurableContracts.Conformance;
using RulesEngine.Models;
using MicrosoftRulesEngine = RulesEngine.RulesEngine;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// Microsoft RulesEngine 6.0.1 running the outcome workflow as its documentation recommends for speed: one engine
/// instance built once and reused (its default compiled-rule cache), <c>ExecuteAllRulesAsync</c> per participant.
/// </summary>
internal sealed class RulesEngineOutcomes
{
    public const string WorkflowName = "IndividualOutcomes";

    private readonly MicrosoftRulesEngine _engine;

    public RulesEngineOutcomes(string workflowJson)
    {
        var workflow = JsonSerializer.Deserialize<Workflow>(workflowJson)!;
        _engine = new MicrosoftRulesEngine([workflow], new ReSettings());
    }

    /// <summary>
    /// The workflow as a RulesEngine user writes it for JSON input: JSON has no date type, so dates arrive as
    /// strings and the rules parse them (<c>DateTime.Parse</c>); and a null exitReason makes RulesEngine type that
    /// member object, which it refuses to compare with strings in <c>in</c>, so that rule converts it to a string
    /// first. Everything else is the same text.
    /// </summary>
    public static string JsonVariant(string workflowJson) => workflowJson
        .Replace("(asOf - participant.enrolledOn)", "(DateTime.Parse(asOf) - DateTime.Parse(participant.enrolledOn))", StringComparison.Ordinal)
        .Replace("baseline.measuredOn <= participant.enrolledOn.AddDays(30)",
            "DateTime.Parse(baseline.measuredOn) <= DateTime.Parse(participant.enrolledOn).AddDays(30)", StringComparison.Ordinal)
        .Replace("participant.exitReason in (", "Convert.ToString(participant.exitReason) in (", StringComparison.Ordinal);

    /// <summary>The typed inputs as RuleParameters; built once per participant outside the measured code.</summary>
    public static RuleParameter[] Parameters(OutcomePocoInputs inputs) =>
    [
        RuleParameter.Create("contract", inputs.Contract),
        RuleParameter.Create("participant", inputs.Participant),
        RuleParameter.Create("baseline", inputs.Baseline),
        RuleParameter.Create("followUp3", inputs.FollowUp3),
        RuleParameter.Create("followUp6", inputs.FollowUp6),
        RuleParameter.Create("asOf", inputs.AsOf),
    ];

    /// <summary>JSON documents converted per call, as RulesEngine's users do: ExpandoObjects with long/double numbers.</summary>
    public static RuleParameter[] Parameters(Dictionary<string, JsonElement> json)
    {
        var parameters = new RuleParameter[json.Count];
        var i = 0;
        foreach (var (name, value) in json) parameters[i++] = new RuleParameter(name, JsonExpando.From(value));
        return parameters;
    }

    public List<RuleResultTree> Execute(RuleParameter[] parameters)
    {
        // RulesEngine does no I/O, so the ValueTask has finished when it returns.
        var pending = _engine.ExecuteAllRulesAsync(WorkflowName, parameters);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }
}
