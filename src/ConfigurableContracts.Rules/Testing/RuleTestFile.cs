using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Rules.Testing;

/// <summary>A <c>*.tests.json</c> file: rule test cases shipped with a template.</summary>
public sealed record RuleTestFile(string Path, IReadOnlyList<RuleTestCase> Cases);

/// <summary>One case: a workflow, its inputs (with "@file" references already loaded) and what to expect.</summary>
public sealed record RuleTestCase(
    string Name,
    string Workflow,
    IReadOnlyDictionary<string, JsonElement> Inputs,
    IReadOnlyList<RuleExpectation> Expectations,
    SourceLocation Location);

/// <summary>Expected status (and optionally output) of the rule at <see cref="RulePath"/> ("Parent/Child" for nested rules).</summary>
public sealed record RuleExpectation(string RulePath, RuleStatus Status, JsonElement? Output);

/// <summary>Reads rule test files in the format of schemas/rule-tests.schema.json.</summary>
public static class RuleTestFileReader
{
    /// <summary>Reads the test file at <paramref name="path"/>; "@relative/path.json" inputs are loaded relative to it.</summary>
    public static (RuleTestFile? File, IReadOnlyList<Diagnostic> Diagnostics) ReadFile(string path) =>
        Read(path, File.ReadAllText(path), reference => File.ReadAllText(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, reference)));

    /// <summary>Reads test file text; <paramref name="readReference"/> returns the text of an "@path" input.</summary>
    public static (RuleTestFile? File, IReadOnlyList<Diagnostic> Diagnostics) Read(string path, string text, Func<string, string> readReference)
    {
        var diagnostics = new List<Diagnostic>();
        var fileLocation = new SourceLocation(path, 1, 1);
        void Error(string code, string message, SourceLocation? location = null) =>
            diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, message, location ?? fileLocation));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            var error = JsonSyntaxError.Describe(text, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 }, e);
            Error(DiagnosticCodes.InvalidTestFile, error.Message, new SourceLocation(path, error.Line, error.Column));
            return (null, diagnostics);
        }

        using (document)
        {
            var positions = Workflows.JsonPositions.Index(path, System.Text.Encoding.UTF8.GetBytes(text),
                new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("cases", out var cases) || cases.ValueKind != JsonValueKind.Array)
            {
                Error(DiagnosticCodes.InvalidTestFile, "A test file is an object with a \"cases\" array.");
                return (null, diagnostics);
            }

            var result = new List<RuleTestCase>();
            var index = 0;
            foreach (var @case in cases.EnumerateArray())
            {
                var pointer = "/cases/" + index++;
                var location = positions.ValueLocation(pointer);
                if (@case.ValueKind != JsonValueKind.Object
                    || !@case.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                    || !@case.TryGetProperty("workflow", out var workflow) || workflow.ValueKind != JsonValueKind.String)
                {
                    Error(DiagnosticCodes.InvalidTestFile, "A test case needs a \"name\" and a \"workflow\" (strings).", location);
                    continue;
                }

                var inputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (@case.TryGetProperty("inputs", out var inputsElement) && inputsElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var input in inputsElement.EnumerateObject())
                    {
                        if (input.Value.ValueKind == JsonValueKind.String && input.Value.GetString() is ['@', .. var reference])
                        {
                            var referencedText = "";
                            try
                            {
                                referencedText = readReference(reference);
                                using var referenced = JsonDocument.Parse(referencedText);
                                inputs[input.Name] = referenced.RootElement.Clone();
                            }
                            catch (JsonException e)
                            {
                                // Located in the referenced file itself, where the designer has to fix it.
                                var error = JsonSyntaxError.Describe(referencedText, default, e);
                                var referencePath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "", reference).Replace('\\', '/');
                                Error(DiagnosticCodes.TestInputNotFound, $"Input '{input.Name}' refers to '{reference}', which is not readable JSON. {error.Message}",
                                    new SourceLocation(referencePath, error.Line, error.Column));
                            }
                            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                            {
                                Error(DiagnosticCodes.TestInputNotFound, $"Input '{input.Name}' refers to '{reference}', which cannot be read: {e.Message}",
                                    positions.ValueLocation($"{pointer}/inputs/{Workflows.JsonPositions.Escape(input.Name)}"));
                            }
                        }
                        else
                        {
                            inputs[input.Name] = input.Value.Clone();
                        }
                    }
                }

                var expectations = new List<RuleExpectation>();
                if (@case.TryGetProperty("expect", out var expect) && expect.ValueKind == JsonValueKind.Object)
                {
                    foreach (var rule in expect.EnumerateObject())
                    {
                        var expectLocation = positions.ValueLocation($"{pointer}/expect/{Workflows.JsonPositions.Escape(rule.Name)}");
                        var statusElement = rule.Value.ValueKind == JsonValueKind.Object && rule.Value.TryGetProperty("status", out var s) ? s : rule.Value;
                        if (statusElement.ValueKind != JsonValueKind.String || !Enum.TryParse<RuleStatus>(statusElement.GetString(), ignoreCase: false, out var status))
                        {
                            Error(DiagnosticCodes.InvalidExpectation,
                                $"Expectation for '{rule.Name}' must be a status (Achieved, NotAchieved, NotEvaluable, Error) or an object with \"status\".", expectLocation);
                            continue;
                        }
                        JsonElement? output = rule.Value.ValueKind == JsonValueKind.Object && rule.Value.TryGetProperty("output", out var o) ? o.Clone() : null;
                        expectations.Add(new RuleExpectation(rule.Name, status, output));
                    }
                }
                result.Add(new RuleTestCase(name.GetString()!, workflow.GetString()!, inputs, expectations, location));
            }
            return (new RuleTestFile(path, result), diagnostics);
        }
    }
}
