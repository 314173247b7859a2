using System.Globalization;
using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Templates.Schemas;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Testing;
using ConfigurableContracts.Rules.Types;


namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Checks a test case's inputs before it runs: each must be an input its workflow declares, and hold data of the
/// declared type — a document its schema accepts, an array of them, or an ISO date. A case fed data the template
/// would never accept (<c>"agee"</c>, <c>"age": "19"</c>, <c>"scool"</c>) tests nothing, or tests the wrong thing.
/// </summary>
internal sealed class RuleTestInputCheck(IReadOnlyDictionary<string, IDocumentSchema> schemas, RuleTestManifest manifest)
{
    /// <summary>Every problem with the inputs of <paramref name="testCase"/>, located in the file that holds the value.</summary>
    public IReadOnlyList<Diagnostic> Check(RuleTestCase testCase, TemplateWorkflow workflow)
    {
        var diagnostics = new List<Diagnostic>();
        var declared = manifest.InputTypes.GetValueOrDefault(workflow.Name) ?? new Dictionary<string, string>();
        foreach (var (name, value) in testCase.Inputs)
        {
            var source = testCase.InputSources.GetValueOrDefault(name);
            var at = source?.Declared ?? testCase.Location;
            if (!declared.TryGetValue(name, out var type))
            {
                diagnostics.Add(Error(DiagnosticCodes.UnknownTestInput,
                    $"'{name}' is not an input of workflow '{workflow.Name}' (its inputs: {string.Join(", ", declared.Keys)}).{NameSuggestions.Hint(name, declared.Keys)}", at));
                continue;
            }

            // An input given as null is absent, as an omitted one is: that is how a case says "no follow-up yet".
            if (value.ValueKind == JsonValueKind.Null || source is null)
            {
                continue;
            }

            diagnostics.AddRange(CheckValue(name, type, value, source, workflow.InputTypes.GetValueOrDefault(name)));
        }

        return diagnostics;
    }

    private IEnumerable<Diagnostic> CheckValue(string name, string type, JsonElement value, RuleTestInputSource source, RuleType? ruleType)
    {
        if (type == "date")
        {
            if (value.ValueKind != JsonValueKind.String
                || !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                yield return Error(DiagnosticCodes.InvalidTestInput, $"Input '{name}' must be an ISO date (yyyy-MM-dd), not {value.GetRawText()}.", source.Value([]));
            }

            yield break;
        }

        var isArray = type.EndsWith("[]", StringComparison.Ordinal);
        var key = isArray ? type[..^2] : type;
        if (!schemas.TryGetValue(key, out var schema))
        {
            yield break;
        }

        if (isArray && value.ValueKind != JsonValueKind.Array)
        {
            yield return Error(DiagnosticCodes.InvalidTestInput, $"Input '{name}' must be an array of '{key}' documents.", source.Value([]));
            yield break;
        }

        var documents = isArray ? value.EnumerateArray().Select((item, index) => (item, Index: (int?)index)) : [(value, Index: null)];
        foreach (var (document, index) in documents)
        {
            foreach (var error in schema.Validate(document))
            {
                // An array input's errors are about one element: $.exitReason of element 2 is $[2].exitReason.
                var shown = index is { } i ? string.Create(CultureInfo.InvariantCulture, $"$[{i}]{error.Path[1..]}") : error.Path;
                var path = InstancePath.Parse(shown);
                yield return Describe(name, key, value, path, $"{shown} {error.Message.TrimEnd('.')}", source, ruleType);
            }
        }
    }

    /// <summary>
    /// The schema's error at the offending value, with a did-you-mean where the schema knows the right spelling: an
    /// unknown field is reported at its name with the field it most resembles, a wrong enum value with the nearest
    /// allowed one.
    /// </summary>
    private static Diagnostic Describe(string name, string key, JsonElement input, IReadOnlyList<string> path, string error, RuleTestInputSource source, RuleType? inputType)
    {
        var where = $"Input '{name}' does not fit the '{key}' schema: {error}.";
        if (path.Count > 0 && TypeAt(inputType, path.Take(path.Count - 1)) is { Properties: { } fields } && !fields.ContainsKey(path[^1]) && ValueAt(input, path) is not null)
        {
            return Error(DiagnosticCodes.InvalidTestInput, where + NameSuggestions.Hint(path[^1], fields.Keys), source.Name(path));
        }

        var hint = TypeAt(inputType, path) is { EnumValues: { } allowed } && ValueAt(input, path) is { ValueKind: JsonValueKind.String } text
            ? NameSuggestions.Hint(text.GetString()!, allowed)
            : "";
        return Error(DiagnosticCodes.InvalidTestInput, where + hint, source.Value(path));
    }

    /// <summary>The rule type at <paramref name="path"/>, following fields and array elements; null where it is not known.</summary>
    private static RuleType? TypeAt(RuleType? type, IEnumerable<string> path)
    {
        foreach (var segment in path)
        {
            type = type?.Kind == RuleTypeKind.Array ? type.ElementType
                : type?.Properties is { } properties && properties.TryGetValue(segment, out var property) ? property
                : null;
        }

        return type;
    }

    private static JsonElement? ValueAt(JsonElement value, IEnumerable<string> path)
    {
        foreach (var segment in path)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var property))
            {
                value = property;
            }
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(segment, CultureInfo.InvariantCulture, out var index) && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                return null;
            }
        }

        return value;
    }

    private static Diagnostic Error(string code, string message, SourceLocation location) =>
        new(code, DiagnosticSeverity.Error, message, location);
}
