using System.Text.Json;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Core.Templates;

/// <summary>A rule <c>--require-coverage</c> checks, where the manifest names it and why it matters.</summary>
internal sealed record RequiredCoverage(CoveredRule Rule, string ManifestPointer, string Role);

/// <summary>
/// What running a template's rule tests reads of its manifest: the schema file of each key, the type of each
/// workflow input, and the rules that decide money or the cohort target. All of it is read from
/// <see cref="TemplateVersion.Manifest"/> here and only here, so moving to a typed manifest changes one class.
/// </summary>
internal sealed class RuleTestManifest
{
    private RuleTestManifest(
        IReadOnlyDictionary<string, string> schemaFiles,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> inputTypes,
        IReadOnlyList<RequiredCoverage> requiredCoverage)
    {
        SchemaFiles = schemaFiles;
        InputTypes = inputTypes;
        RequiredCoverage = requiredCoverage;
    }

    /// <summary>Schema key (<c>participant</c>, <c>cohortMember</c>) to its file, relative to the template folder.</summary>
    public IReadOnlyDictionary<string, string> SchemaFiles { get; }

    /// <summary>Workflow name to its inputs and their manifest types: a schema key, <c>key[]</c> or <c>date</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> InputTypes { get; }

    /// <summary>Every payment rule, the cohort-target rule and the cohort target's outcome rule, in manifest order.</summary>
    public IReadOnlyList<RequiredCoverage> RequiredCoverage { get; }

    public static RuleTestManifest Read(JsonElement manifest)
    {
        var schemaFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var schema in Members(manifest, "schemas"))
        {
            if (schema.Value.ValueKind == JsonValueKind.String) schemaFiles[schema.Name] = schema.Value.GetString()!;
        }

        var inputTypes = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var workflow in Items(manifest, "workflows"))
        {
            if (Text(workflow, "name") is not { } name) continue;
            inputTypes[name] = Members(workflow, "inputs")
                .Where(input => input.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(input => input.Name, input => input.Value.GetString()!, StringComparer.Ordinal);
        }

        var required = new List<RequiredCoverage>();
        void Require(JsonElement? at, string pointer, string role)
        {
            if (at is { } element && Text(element, "workflow") is { } workflow && Text(element, "rule") is { } rule)
                required.Add(new RequiredCoverage(new CoveredRule(workflow, rule), pointer + "/rule", role));
        }

        var payments = Items(Property(manifest, "paymentModel"), "payments");
        for (var i = 0; i < payments.Length; i++)
        {
            Require(payments[i], $"/paymentModel/payments/{i}", "payment rule");
        }

        var cohortTarget = Property(manifest, "cohortTarget");
        Require(cohortTarget, "/cohortTarget", "cohort-target rule");
        Require(cohortTarget is { } target ? Property(target, "targetOutcome") : null, "/cohortTarget/targetOutcome", "cohort target's outcome rule");
        return new RuleTestManifest(schemaFiles, inputTypes, required);
    }

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var property) ? property : null;

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    private static JsonProperty[] Members(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Object } members ? members.EnumerateObject().ToArray() : [];

    private static JsonElement[] Items(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().ToArray() : [];
}
