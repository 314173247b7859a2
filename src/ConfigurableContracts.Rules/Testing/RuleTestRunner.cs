using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Testing;

/// <summary>The outcome of one test case; on failure, what differed, beside the whole actual result tree.</summary>
public sealed record RuleTestCaseResult(string Name, bool Passed, IReadOnlyList<string> Failures, IReadOnlyList<RuleResultTree>? Actual, SourceLocation Location)
{
    /// <summary>The case's expectations, in the order its <c>expect</c> object lists them.</summary>
    public IReadOnlyList<RuleExpectation> Expected { get; init; } = [];

    /// <summary>The workflow the case ran, which coverage is counted under.</summary>
    public string Workflow { get; init; } = "";

    /// <summary>The inputs the case ran with, as written (so another engine can run the same case).</summary>
    public IReadOnlyDictionary<string, JsonElement> Inputs { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>
/// Runs rule test cases against a compiled workflow set. Inputs are converted with the template's input types
/// (so a "number" field is decimal, "asOf" a date); inputs without a type are inferred from their data.
/// </summary>
public static class RuleTestRunner
{
    public static IReadOnlyList<RuleTestCaseResult> Run(RuleTestFile file, CompiledWorkflowSet workflows, IReadOnlyDictionary<string, RuleType> inputTypes) =>
        file.Cases.Select(c => Run(c, workflows, inputTypes)).ToList();

    public static RuleTestCaseResult Run(RuleTestCase testCase, CompiledWorkflowSet workflows, IReadOnlyDictionary<string, RuleType> inputTypes)
    {
        if (!workflows.Contains(testCase.Workflow))
        {
            var known = string.Join(", ", workflows.WorkflowNames);
            return new RuleTestCaseResult(testCase.Name, false, [$"{DiagnosticCodes.UnknownTestWorkflow}: no workflow named '{testCase.Workflow}' (known: {known})."], null, testCase.Location)
            {
                Expected = testCase.Expectations,
                Workflow = testCase.Workflow,
            };
        }

        var inputs = new RuleInputs();
        foreach (var (name, json) in testCase.Inputs)
            inputs.SetJson(name, json, inputTypes.TryGetValue(name, out var type) ? type : null);
        var results = workflows.Evaluate(testCase.Workflow, inputs);

        var failures = new List<string>();
        foreach (var expectation in testCase.Expectations)
        {
            var actual = results.Find(expectation.RulePath);
            if (actual is null)
            {
                failures.Add($"{expectation.RulePath}: expected {expectation.Status}, but there is no such (enabled) rule.");
                continue;
            }
            if (actual.Status != expectation.Status)
            {
                var why = actual.Reason is null ? "" : $" ({actual.Reason})";
                failures.Add($"{expectation.RulePath}: expected {expectation.Status}, actual {actual.Status}{why}.");
            }
            if (expectation.Output is { } output && !OutputMatches(output, actual.ActionOutput))
                failures.Add($"{expectation.RulePath}: expected output {output.GetRawText()}, actual {ToJson(actual.ActionOutput)}.");
        }
        return new RuleTestCaseResult(testCase.Name, failures.Count == 0, failures, results, testCase.Location)
        {
            Expected = testCase.Expectations,
            Workflow = testCase.Workflow,
            Inputs = testCase.Inputs,
        };
    }

    /// <summary>Numbers compare by value (8000 matches 8000.00m); everything else by its JSON text.</summary>
    internal static bool OutputMatches(JsonElement expected, object? actual)
    {
        if (expected.ValueKind == JsonValueKind.Number && Compilation.RuntimeValues.TryGetDecimal(actual, out var number))
            return expected.TryGetDecimal(out var wanted) && wanted == number;
        using var expectedNormal = JsonDocument.Parse(expected.GetRawText());
        using var actualNormal = JsonDocument.Parse(ToJson(actual));
        return JsonElement.DeepEquals(expectedNormal.RootElement, actualNormal.RootElement);
    }

    internal static string ToJson(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) RuleResultJson.WriteValue(writer, value);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// One line per case; for a failure, the one-line reasons and then a diff of the expected and the actual results
    /// in the shape the case states them, as <c>contracts test</c> prints.
    /// </summary>
    public static string Format(RuleTestCaseResult result)
    {
        if (result.Passed) return string.Create(CultureInfo.InvariantCulture, $"PASS {result.Name}");
        var lines = new List<string> { $"FAIL {result.Name} ({result.Location})" };
        lines.AddRange(result.Failures.Select(f => "  " + f));
        if (result.Actual is { } actual)
        {
            var diff = ResultTreeDiff.Unified(ResultTreeDiff.Expected(result.Expected), ResultTreeDiff.Actual(result.Expected, actual));
            lines.AddRange(diff.Select(l => "  " + l));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
