using System.Text.Json;
using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// One loaded, error-free version of a contract template: its schemas ready to validate, its measurement plan,
/// and the exact files it was built from, identified by <see cref="BundleHash"/>.
/// </summary>
public sealed class TemplateVersion
{
    public required string Id { get; init; }

    public required string Version { get; init; }

    /// <summary>Lower-case hex SHA-256 over the normalised files; equal hashes mean identical behaviour.</summary>
    public required string BundleHash { get; init; }

    /// <summary>Bundle key (<see cref="BundlePaths"/>, e.g. <c>schemas/x/template.json</c>) to normalised file text.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    public required IReadOnlyDictionary<string, string> Title { get; init; }

    public required IReadOnlyDictionary<string, string> Description { get; init; }

    public required IDocumentSchema ContractSchema { get; init; }

    public required IDocumentSchema ParticipantSchema { get; init; }

    public required IDocumentSchema MeasurementSchema { get; init; }

    public required MeasurementPlan MeasurementPlan { get; init; }

    /// <summary>The manifest's workflows, compiled, in manifest order.</summary>
    public required IReadOnlyList<TemplateWorkflow> Workflows { get; init; }

    /// <summary>The manifest as written, for the parts only later stages read (payment model, cohort target).</summary>
    public required JsonElement Manifest { get; init; }

    /// <summary>
    /// The manifest's typed reading: the payment model, cohort target and participant fields the evaluator and the
    /// reports use. A loaded version's manifest passed its schema and checks, so every name in it resolves.
    /// </summary>
    public TemplateManifest Declared
    {
        get => field ??= Manifest.Deserialize<TemplateManifest>(TemplateManifest.SerializerOptions) ?? new TemplateManifest();
        init;
    }

    /// <summary>Warnings found while loading; a version with errors is never built.</summary>
    public required IReadOnlyList<Diagnostic> Warnings { get; init; }

    /// <summary>
    /// This version as the bundle stored under <paramref name="bundleHash"/>: a bundle stored before documentation
    /// left the identity loads into the same template but hashes differently today, and what a contract pinned,
    /// and decisions refer to, is the stored hash.
    /// </summary>
    internal TemplateVersion AsStored(string bundleHash, IReadOnlyDictionary<string, string> files) => new()
    {
        Id = Id,
        Version = Version,
        BundleHash = bundleHash,
        Files = files,
        Title = Title,
        Description = Description,
        ContractSchema = ContractSchema,
        ParticipantSchema = ParticipantSchema,
        MeasurementSchema = MeasurementSchema,
        MeasurementPlan = MeasurementPlan,
        Workflows = Workflows,
        Manifest = Manifest,
        Warnings = Warnings,
    };
}
