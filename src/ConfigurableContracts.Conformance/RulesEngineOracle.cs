using System.Text.Json;
using System.Text.Json.Serialization;
using RulesEngine.Models;
using MicrosoftRulesEngine = RulesEngine.RulesEngine;

namespace ConfigurableContracts.Conformance;

/// <summary>
/// Runs workflow files on Microsoft RulesEngine 6, configured as its documentation shows and fed JSON inputs the way
/// its users feed them (<see cref="JsonExpando"/>). One instance holds one compiled file, like a RulesEngine instance.
/// </summary>
public sealed class RulesEngineOracle
{
    private static readonly JsonSerializerOptions FileOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly MicrosoftRulesEngine? _engine;

    private RulesEngineOracle(MicrosoftRulesEngine? engine, string? failure)
    {
        _engine = engine;
        LoadFailure = failure;
    }

    /// <summary>Why RulesEngine refused the file itself (it failed to deserialise or validate); null when it loaded.</summary>
    public string? LoadFailure { get; }

    /// <summary>
    /// RulesEngine's defaults but one: it writes a failed rule's formatted ErrorMessage into ExceptionMessage, the
    /// field that otherwise carries its exceptions, so a rule that merely failed would read as one that threw.
    /// </summary>
    public static ReSettings DefaultSettings() => new() { EnableFormattedErrorMessage = false };

    /// <summary>Reads a workflow file (one workflow object or an array) as RulesEngine would.</summary>
    /// <param name="settings">RulesEngine's settings; <see cref="DefaultSettings"/> when null.</param>
    public static RulesEngineOracle Load(string workflowFileJson, ReSettings? settings = null)
    {
        try
        {
            var trimmed = workflowFileJson.TrimStart();
            var workflows = trimmed.StartsWith('[')
                ? JsonSerializer.Deserialize<Workflow[]>(workflowFileJson, FileOptions)
                : [JsonSerializer.Deserialize<Workflow>(workflowFileJson, FileOptions)!];
            return new RulesEngineOracle(new MicrosoftRulesEngine(workflows, settings ?? DefaultSettings()), null);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException
                                              or FluentValidation.ValidationException or NotSupportedException)
        {
            return new RulesEngineOracle(null, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>Runs every rule of <paramref name="workflowName"/> with the named JSON inputs.</summary>
    public OracleRun Run(string workflowName, IEnumerable<KeyValuePair<string, JsonElement>> inputs) =>
        RunObjects(workflowName, inputs.Select(input => new KeyValuePair<string, object?>(input.Key, JsonExpando.From(input.Value))));

    /// <summary>Runs every rule of <paramref name="workflowName"/> with inputs already in .NET form (typed objects, say).</summary>
    public OracleRun RunObjects(string workflowName, IEnumerable<KeyValuePair<string, object?>> inputs)
    {
        if (_engine is null) return new OracleRun([], LoadFailure);
        var parameters = inputs.Select(input => new RuleParameter(input.Key, input.Value)).ToArray();
        try
        {
            // RulesEngine does no I/O: the ValueTask is finished when it returns, so waiting on it here blocks nothing.
            var results = _engine.ExecuteAllRulesAsync(workflowName, parameters).AsTask().GetAwaiter().GetResult();
            return new OracleRun(results.Select(Convert).ToList(), null);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // RulesEngine reports most rule failures in the result; what escapes (an unknown workflow, a bad
            // injected workflow, an input it cannot type) means it cannot run the workflow at all.
            return new OracleRun([], $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    private static OracleRuleResult Convert(RuleResultTree result) => new(
        result.Rule.RuleName,
        result.IsSuccess,
        result.ExceptionMessage ?? "",
        result.ActionResult?.Output,
        result.ActionResult?.Exception?.Message,
        result.ChildResults?.Select(Convert).ToList() ?? []);
}
