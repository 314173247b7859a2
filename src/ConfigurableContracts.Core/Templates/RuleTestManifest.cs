using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Core.Templates;

/// <summary>A rule <c>--require-coverage</c> checks, where the manifest names it and why it matters.</summary>
internal sealed record RequiredCoverage(CoveredRule Rule, string ManifestPointer, string Role);

/// <summary>
/// What running a template's rule tests reads of its manifest: the schema file of each key, the type of each
/// workflow input, and the rules that decide money or the cohort target. All of it is read from
/// the typed manifest (<see cref="TemplateVersion.Declared"/>).
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

    public static RuleTestManifest Read(TemplateManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var schemaFiles = new Dictionary<string, string>(manifest.Schemas ?? [], StringComparer.Ordinal);
        var inputTypes = (manifest.Workflows ?? []).Where(w => w.Name is not null).ToDictionary(
            w => w.Name!, w => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(w.Inputs ?? [], StringComparer.Ordinal), StringComparer.Ordinal);

        var required = new List<RequiredCoverage>();
        void Require(string? workflow, string? rule, string pointer, string role)
        {
            if (workflow is not null && rule is not null)
                required.Add(new RequiredCoverage(new CoveredRule(workflow, rule), pointer + "/rule", role));
        }

        var payments = manifest.PaymentModel?.Payments ?? [];
        for (var i = 0; i < payments.Count; i++)
        {
            Require(payments[i].Workflow, payments[i].Rule, $"/paymentModel/payments/{i}", "payment rule");
        }

        if (manifest.CohortTarget is { } target)
        {
            Require(target.Workflow, target.Rule, "/cohortTarget", "cohort-target rule");
            Require(target.TargetOutcome?.Workflow, target.TargetOutcome?.Rule, "/cohortTarget/targetOutcome", "cohort target's outcome rule");
        }

        return new RuleTestManifest(schemaFiles, inputTypes, required);
    }
}
