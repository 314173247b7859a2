using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Measurements;
using ConfigurableContracts.Server.Outcomes;
using ConfigurableContracts.Server.Participants;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Privacy;

/// <summary>
/// Privacy: removal of participant data after the retention period (a nightly Quartz job), what the next run
/// would remove (admins), and the export of everything stored about one pseudonym for a data subject request
/// (the commissioner, who is the controller, or its auditor).
/// </summary>
public static class PrivacyEndpoints
{
    private const string ExportRoute = "/api/contracts/{contractId}/participants/{pseudonym}/export";

    public static WebApplicationBuilder AddPrivacy(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The sweep, the export and the validated Retention options are Core's (AddContractsCore); the server adds
        // the nightly job that runs the sweep.
        builder.Services.AddTransient<RetentionJob>();
        builder.Services.AddHostedService<RetentionStartup>();
        return builder;
    }

    public static WebApplication MapPrivacy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The roles are named here rather than as a shared policy: the export is the one read open to exactly
        // the controller's roles, and a provider (a processor) asks its commissioner instead.
        // Audited by the request audit like every read of participant data; the route names the pseudonym.
        app.MapGet(ExportRoute, ExportParticipant).WithTags("Privacy").WithName(nameof(ExportParticipant))
            .RequireAuthorization(policy => policy.RequireRole(Roles.Commissioner, Roles.Auditor)).AuditReads()
            .WithSummary("Everything stored about one pseudonym, for a data subject request: record, every measurement version, decisions with inputs, ledger entries, audit entries.");
        app.MapGet("/api/retention/due", GetRetentionDue).WithTags("Privacy").WithName(nameof(GetRetentionDue))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Dry run: the closed contracts whose participant data the next retention run removes, with counts. Changes nothing.");
        return app;
    }

    public static async Task<Results<Ok<ParticipantExportDto>, NotFound>> ExportParticipant(
        string contractId, string pseudonym, RequestCaller caller, ParticipantExport export, TimeProvider time, CancellationToken cancellationToken)
    {
        var data = await export.ExportAsync(caller.Caller, contractId, pseudonym, cancellationToken);
        return data is null ? TypedResults.NotFound() : TypedResults.Ok(ParticipantExportDto.From(data, time.GetUtcNow()));
    }

    public static async Task<Ok<RetentionCandidate[]>> GetRetentionDue(RetentionSweep sweep, CancellationToken cancellationToken) =>
        TypedResults.Ok((await sweep.PlanAsync(cancellationToken)).ToArray());
}

/// <summary>A decision in an export: the decision as the API shows it and the input snapshot it was made from.</summary>
/// <param name="InputSnapshot">Every input the rules saw; null once removed under retention.</param>
public sealed record ExportedDecisionDto(DecisionDto Decision, JsonElement? InputSnapshot);

/// <summary>The participant's own entry in the input of a cohort decision.</summary>
public sealed record CohortMembershipDto(string DecisionId, string Workflow, string Outcome, string? ProviderId, string Status, DateOnly AsOf, JsonElement Member);

/// <summary>Everything stored about one pseudonym of one contract, as of <see cref="ExportedAt"/>.</summary>
/// <param name="Participant">The record as it stands; a correction replaces the record, so earlier records are not stored.</param>
public sealed record ParticipantExportDto(
    DateTimeOffset ExportedAt,
    ParticipantDto Participant,
    MeasurementDto[] Measurements,
    ExportedDecisionDto[] Decisions,
    CohortMembershipDto[] CohortMemberships,
    LedgerEntry[] Ledger,
    AuditRecord[] Audit)
{
    public static ParticipantExportDto From(ParticipantExportData data, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new ParticipantExportDto(
            exportedAt,
            ParticipantDto.From(data.Participant),
            data.Measurements.Select(MeasurementDto.From).ToArray(),
            data.Decisions.Select(d => new ExportedDecisionDto(DecisionDto.From(d.Decision), d.InputSnapshot is null ? null : StoredJson.Parse(d.InputSnapshot))).ToArray(),
            data.CohortMemberships.Select(m => new CohortMembershipDto(m.DecisionId, m.Workflow, m.Outcome, m.ProviderId, m.Status, m.AsOf, StoredJson.Parse(m.Member))).ToArray(),
            data.Ledger.ToArray(),
            data.Audit.ToArray());
    }
}
