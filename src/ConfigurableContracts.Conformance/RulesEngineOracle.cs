using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using RulesEngine.Models;
using MicrosoftRulesEngine = RulesEngine.RulesEngine;

namespace ConfigurableContracts.Conformance;

/// <summary>
/// Runs workflow files on Microsoft RulesEngine 6, configured as its documentation shows and fed JSON inputs the way
/// its users feed them (<see cref="JsonExpando"/>). One instance holds one compiled file, like a RulesEngine instance.
/// </summary>
public sealed partial class RulesEngineOracle
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

    /// <summary>Reads a workflow file (one workflow object or an array) as RulesEngine would.</summary>
    /// <param name="settings">RulesEngine's settings; its defaults when null (a failed rule's ErrorMessage is told
    /// apart from an exception in <see cref="Convert"/>).</param>
    public static RulesEngineOracle Load(string workflowFileJson, ReSettings? settings = null)
    {
        try
        {
            var trimmed = workflowFileJson.TrimStart();
            var workflows = trimmed.StartsWith('[')
                ? JsonSerializer.Deserialize<Workflow[]>(workflowFileJson, FileOptions)
                : [JsonSerializer.Deserialize<Workflow>(workflowFileJson, FileOptions)!];
            return new RulesEngineOracle(new MicrosoftRulesEngine(workflows, settings ?? new ReSettings()), null);
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

    private static OracleRuleResult Convert(RuleResultTree result)
    {
        var message = result.ExceptionMessage ?? "";
        var errorMessage = !result.IsSuccess && IsFormatted(result.Rule.ErrorMessage, message) ? message : null;
        return new OracleRuleResult(
            result.Rule.RuleName,
            result.IsSuccess,
            errorMessage is null ? message : "",
            result.ActionResult?.Output,
            result.ActionResult?.Exception?.Message,
            result.ChildResults?.Select(Convert).ToList() ?? [],
            errorMessage);
    }

    /// <summary>
    /// Whether <paramref name="message"/> is <paramref name="template"/> with its <c>$(…)</c> placeholders filled in:
    /// RulesEngine puts a failed rule's ErrorMessage where it puts exception messages, and only then.
    /// </summary>
    private static bool IsFormatted(string? template, string message)
    {
        if (string.IsNullOrEmpty(template) || message.Length == 0) return false;
        var pattern = string.Join(".*", Placeholder().Split(template).Select(Regex.Escape));
        return Regex.IsMatch(message, $"^{pattern}$", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    [GeneratedRegex(@"\$\([^)]*\)")]
    private static partial Regex Placeholder();
}
