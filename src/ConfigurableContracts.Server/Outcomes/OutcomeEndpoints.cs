using System.Security.Claims;
using System.Text.Json;
using ConfigurableContracts.Core.Evaluation;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Outcomes;

/// <summary>
/// Decisions, their replay, and outcome reports. Every read is scoped in SQL: a provider sees decisions about its own
/// participants only; commissioners and auditors see their organisation's contracts.
/// </summary>
public static class OutcomeEndpoints
{
    public static WebApplication MapOutcomes(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var contracts = app.MapGroup("/api/contracts/{id}").WithTags("Outcomes").RequireAuthorization(Policies.ContractReader).AuditReads();
        contracts.MapGet("/decisions", ListDecisions).WithName(nameof(ListDecisions))
            .WithSummary("A contract's decisions (current ones unless current=false), filtered by participant pseudonym or outcome.");
        contracts.MapGet("/outcomes", GetOutcomeReport).WithName(nameof(GetOutcomeReport))
            .WithSummary("Per outcome and provider: achieved, not achieved, not yet evaluable, errors; overdue follow-ups; cohort share against target.");

        var decisions = app.MapGroup("/api/decisions").WithTags("Outcomes").RequireAuthorization(Policies.ContractReader).AuditReads();
        decisions.MapGet("/{decisionId}", GetDecision).WithName(nameof(GetDecision))
            .WithSummary("One decision with its full result tree, bundle hash, engine version and input hash.");
        decisions.MapGet("/{decisionId}/replay", ReplayDecision).WithName(nameof(ReplayDecision))
            .WithSummary("Re-evaluate a decision from its stored template bundle and input snapshot; identical is true when the bytes match; 410 once its data was removed under retention.");
        return app;
    }

    public static async Task<Ok<DecisionDto[]>> ListDecisions(
        string id, ClaimsPrincipal user, DecisionStore store, string? participant, string? outcome, bool? current, long? after, int? limit, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(user.ToCaller(), id, new DecisionQuery(participant, outcome, current ?? true, after ?? 0, limit ?? 500), cancellationToken);
        return TypedResults.Ok(rows.Select(DecisionDto.From).ToArray());
    }

    public static async Task<Results<Ok<DecisionDto>, NotFound>> GetDecision(string decisionId, ClaimsPrincipal user, DecisionStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(user.ToCaller(), decisionId, cancellationToken) is { } decision ? TypedResults.Ok(DecisionDto.From(decision)) : TypedResults.NotFound();

    public static async Task<Results<Ok<ReplayDto>, NotFound, ProblemHttpResult>> ReplayDecision(
        string decisionId, ClaimsPrincipal user, DecisionStore store, DecisionReplay replay, CancellationToken cancellationToken)
    {
        // The scoped read decides whether the caller may see the decision at all; the replay itself is unscoped.
        if (await store.GetAsync(user.ToCaller(), decisionId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }

        ReplayResult? result;
        try
        {
            result = await replay.ReplayAsync(decisionId, cancellationToken);
        }
        catch (DecisionDataRemovedException removed)
        {
            return Problems.Gone(removed.Message);
        }

        if (result is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new ReplayDto(result.DecisionId, result.Workflow, result.Outcome, result.Identical, Parse(result.StoredResult),
            Parse(result.ReplayedResult), result.BundleHash, result.InputHash, result.StoredEngineVersion, result.ReplayEngineVersion));
    }

    public static async Task<Results<Ok<OutcomeReport>, NotFound>> GetOutcomeReport(
        string id, ClaimsPrincipal user, OutcomeReports reports, TimeProvider time, DateOnly? asOf, CancellationToken cancellationToken)
    {
        var date = asOf ?? ContractCalendar.DateOf(time.GetUtcNow());
        return await reports.ReportAsync(user.ToCaller(), id, date, cancellationToken) is { } report ? TypedResults.Ok(report) : TypedResults.NotFound();
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>A decision as the API shows it: its result tree as JSON, not as a string.</summary>
public sealed record DecisionDto(
    string Id, string ContractId, string? Pseudonym, string? ProviderId, string Workflow, string Outcome, string? MeasurementPoint, string Status,
    JsonElement? ActionOutput, JsonElement ResultTree, string BundleHash, string EngineVersion, string InputHash, DateOnly AsOf, string RunId,
    DateTimeOffset DecidedAt, string? SupersededBy)
{
    public static DecisionDto From(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        using var tree = JsonDocument.Parse(decision.ResultTree);
        JsonElement? output = null;
        if (decision.ActionOutput is not null)
        {
            using var parsed = JsonDocument.Parse(decision.ActionOutput);
            output = parsed.RootElement.Clone();
        }

        return new DecisionDto(decision.Id, decision.ContractId, decision.Pseudonym, decision.ProviderId, decision.Workflow, decision.Outcome,
            decision.MeasurementPoint, decision.Status, output, tree.RootElement.Clone(), decision.BundleHash, decision.EngineVersion,
            decision.InputHash, decision.AsOf, decision.RunId, decision.DecidedAt, decision.SupersededBy);
    }
}

/// <summary>The outcome of a replay: both result trees and whether their bytes are identical.</summary>
public sealed record ReplayDto(
    string DecisionId, string Workflow, string Outcome, bool Identical, JsonElement Stored, JsonElement Replayed,
    string BundleHash, string InputHash, string StoredEngineVersion, string ReplayEngineVersion);
