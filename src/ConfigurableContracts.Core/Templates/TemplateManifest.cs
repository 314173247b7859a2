using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The typed part of a template manifest (<c>schemas/&lt;id&gt;/template.json</c>); its editor schema is
/// <c>schemas/template-manifest.schema.json</c>.
/// </summary>
public sealed class TemplateManifest
{
    public string? Id { get; set; }

    public string? Version { get; set; }

    public Dictionary<string, string>? Title { get; set; }

    public Dictionary<string, string>? Description { get; set; }

    public string? Origin { get; set; }

    public string? License { get; set; }

    /// <summary>Schema key (contract, participant, measurement, …) to file name in the template folder.</summary>
    public Dictionary<string, string>? Schemas { get; set; }

    public ManifestRules? Rules { get; set; }

    public List<ManifestWorkflow>? Workflows { get; set; }

    public ManifestMeasurementPlan? MeasurementPlan { get; set; }

    /// <summary>The participant-record fields the platform reads, by role (exitDate, exitReason).</summary>
    public ManifestParticipantFields? ParticipantFields { get; set; }

    public ManifestPaymentModel? PaymentModel { get; set; }

    public ManifestCohortTarget? CohortTarget { get; set; }

    /// <summary>Contract-parameter paths kept for people only; nothing reading them is intended, not a mistake.</summary>
    public List<string>? DescriptiveParameters { get; set; }

    internal static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 32,
    };
}

/// <summary>Where a template's rules live, relative to its manifest.</summary>
public sealed class ManifestRules
{
    public string? Folder { get; set; }

    public string? Functions { get; set; }

    public string? Tests { get; set; }
}

/// <summary>A workflow the template runs: its file, whether it runs per participant or per cohort, and its inputs.</summary>
public sealed class ManifestWorkflow
{
    public string? Name { get; set; }

    public string? File { get; set; }

    public string? Scope { get; set; }

    /// <summary>Rule input name to its type: a schema key, <c>key[]</c> for an array of it, or <c>date</c>.</summary>
    public Dictionary<string, string>? Inputs { get; set; }
}

/// <summary>The measurement plan as written in the manifest.</summary>
public sealed class ManifestMeasurementPlan
{
    public List<ManifestMeasurementPoint>? Points { get; set; }
}

/// <summary>One planned measurement point as written in the manifest.</summary>
public sealed class ManifestMeasurementPoint
{
    public string? Id { get; set; }

    public string? Input { get; set; }

    public int? OffsetMonths { get; set; }

    public int? WindowDaysBefore { get; set; }

    public int? WindowDaysAfter { get; set; }
}

/// <summary>Which participant-schema fields hold the exit date and reason; both optional.</summary>
public sealed class ManifestParticipantFields
{
    public string? ExitDate { get; set; }

    public string? ExitReason { get; set; }
}

/// <summary>The payment model as written in the manifest.</summary>
public sealed class ManifestPaymentModel
{
    public string? Currency { get; set; }

    public List<ManifestPayment>? Payments { get; set; }

    public ManifestCaps? Caps { get; set; }
}

/// <summary>One payment kind and the rule whose output it pays.</summary>
public sealed class ManifestPayment
{
    public string? Kind { get; set; }

    public string? Workflow { get; set; }

    public string? Rule { get; set; }
}

/// <summary>The cap parameters and the order they apply in.</summary>
public sealed class ManifestCaps
{
    public string? PerProviderParameter { get; set; }

    public string? PerContractParameter { get; set; }

    public List<string>? Order { get; set; }
}

/// <summary>A rule named by workflow and rule path.</summary>
public sealed class ManifestRuleReference
{
    public string? Workflow { get; set; }

    public string? Rule { get; set; }
}

/// <summary>The cohort target as written in the manifest.</summary>
public sealed class ManifestCohortTarget
{
    public string? Workflow { get; set; }

    public string? Rule { get; set; }

    public ManifestRuleReference? TargetOutcome { get; set; }

    public string? MemberStatusProperty { get; set; }

    public string? TargetShareParameter { get; set; }

    public string? ExcludedExitReasonsParameter { get; set; }
}
