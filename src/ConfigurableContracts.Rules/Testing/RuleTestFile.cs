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
    SourceLocation Location)
{
    /// <summary>Where each input is written, so an input its schema refuses is reported at the offending value.</summary>
    public IReadOnlyDictionary<string, RuleTestInputSource> InputSources { get; init; } = new Dictionary<string, RuleTestInputSource>();
}

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
            var positions = JsonPositions.Index(path, System.Text.Encoding.UTF8.GetBytes(text),
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
                var sources = new Dictionary<string, RuleTestInputSource>(StringComparer.Ordinal);
                if (@case.TryGetProperty("inputs", out var inputsElement) && inputsElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var input in inputsElement.EnumerateObject())
                    {
                        var inputPointer = $"{pointer}/inputs/{JsonPositions.Escape(input.Name)}";
                        var declared = positions.NameLocation(inputPointer);
                        if (input.Value.ValueKind == JsonValueKind.String && input.Value.GetString() is ['@', .. var reference])
                        {
                            var referencedText = "";
                            try
                            {
                                referencedText = readReference(reference);
                                using var referenced = JsonDocument.Parse(referencedText);
                                inputs[input.Name] = referenced.RootElement.Clone();
                                sources[input.Name] = new RuleTestInputSource(declared,
                                    JsonPositions.Index(ReferencePath(path, reference), System.Text.Encoding.UTF8.GetBytes(referencedText), default), "");
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
                                    positions.ValueLocation(inputPointer));
                            }
                        }
                        else
                        {
                            inputs[input.Name] = input.Value.Clone();
                            sources[input.Name] = new RuleTestInputSource(declared, positions, inputPointer);
                        }
                    }
                }

                var expectations = new List<RuleExpectation>();
                var hasExpect = @case.TryGetProperty("expect", out var expect);
                if (hasExpect && expect.ValueKind == JsonValueKind.Object)
                {
                    foreach (var rule in expect.EnumerateObject())
                    {
                        var expectLocation = positions.ValueLocation($"{pointer}/expect/{JsonPositions.Escape(rule.Name)}");
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
                if (expectations.Count == 0)
                {
                    // A case that states no result passes whatever the rules decide: it would only look like a test.
                    // (Expectations that were there but unreadable have been reported above.)
                    if (!hasExpect || expect.ValueKind != JsonValueKind.Object || !expect.EnumerateObject().Any())
                    {
                        Error(DiagnosticCodes.MissingExpectation,
                            $"Case '{name.GetString()}' expects nothing, so it can never fail: name at least one rule under \"expect\" with the status it should reach.",
                            hasExpect ? positions.ValueLocation(pointer + "/expect") : location);
                    }
                    continue;
                }
                result.Add(new RuleTestCase(name.GetString()!, workflow.GetString()!, inputs, expectations, location) { InputSources = sources });
            }
            return (new RuleTestFile(path, result), diagnostics);
        }
    }

    /// <summary>
    /// The path of an "@reference" as diagnostics show it: relative to the test file's folder, with "." and ".."
    /// resolved, in the same form as <paramref name="testFilePath"/> (e.g. <c>schemas/x/examples/contract.json</c>).
    /// </summary>
    private static string ReferencePath(string testFilePath, string reference)
    {
        var segments = new List<string>(testFilePath.Replace('\\', '/').Split('/')[..^1]);
        foreach (var segment in reference.Replace('\\', '/').Split('/'))
        {
            if (segment == ".." && segments.Count > 0 && segments[^1] != "..") segments.RemoveAt(segments.Count - 1);
            else if (segment is not ("." or "")) segments.Add(segment);
        }
        return string.Join('/', segments);
    }
}
