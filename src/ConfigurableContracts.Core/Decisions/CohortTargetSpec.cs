using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// Which outcome the cohort target counts, the member field carrying its status and the participant field (if any)
/// carrying the exit reason — all as the manifest declares them; the loader checked them against the schemas.
/// </summary>
internal sealed record CohortTargetSpec(string Workflow, string Rule, string MemberStatusProperty, string? ExitReasonField)
{
    public static CohortTargetSpec? From(TemplateVersion template) =>
        template.Declared.CohortTarget is { TargetOutcome: { Workflow: { } workflow, Rule: { } rule }, MemberStatusProperty: { } property }
            ? new CohortTargetSpec(workflow, rule, property, template.Declared.ParticipantFields?.ExitReason)
            : null;
}
