using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Decisions;
using ConfigurableContracts.Core.Outcomes;
using ConfigurableContracts.Core.Privacy;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        var contracts = app.MapGroup("/api/contracts/{contractId}").WithTags("Outcomes").RequireAuthorization(Policies.ContractReader).AuditReads();
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
        string contractId, RequestCaller caller, DecisionStore store, [AsParameters] DecisionListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new DecisionQuery(request.Participant, request.Outcome, request.Current ?? true, request.After ?? 0, request.Limit ?? 500);
        var rows = await store.ListAsync(caller.Caller, contractId, query, cancellationToken);
        return TypedResults.Ok(rows.Select(DecisionDto.From).ToArray());
    }

    public static async Task<Results<Ok<DecisionDto>, NotFound>> GetDecision(string decisionId, RequestCaller caller, DecisionStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(caller.Caller, decisionId, cancellationToken) is { } decision ? TypedResults.Ok(DecisionDto.From(decision)) : TypedResults.NotFound();

    public static async Task<Results<Ok<ReplayDto>, NotFound, ProblemHttpResult>> ReplayDecision(
        string decisionId, RequestCaller caller, DecisionStore store, DecisionReplay replay, CancellationToken cancellationToken)
    {
        // The scoped read decides whether the caller may see the decision at all; the replay itself is unscoped.
        if (await store.GetAsync(caller.Caller, decisionId, cancellationToken) is null)
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

        return TypedResults.Ok(new ReplayDto(result.DecisionId, result.Workflow, result.Outcome, result.Identical, StoredJson.Parse(result.StoredResult),
            StoredJson.Parse(result.ReplayedResult), result.BundleHash, result.InputHash, result.StoredEngineVersion, result.ReplayEngineVersion));
    }

    public static async Task<Results<Ok<OutcomeReport>, NotFound>> GetOutcomeReport(
        string contractId, RequestCaller caller, OutcomeReports reports, TimeProvider time, DateOnly? asOf, CancellationToken cancellationToken)
    {
        var date = asOf ?? ContractCalendar.DateOf(time.GetUtcNow());
        return await reports.ReportAsync(caller.Caller, contractId, date, cancellationToken) is { } report ? TypedResults.Ok(report) : TypedResults.NotFound();
    }
}

/// <summary>The query string of a contract's decision list: by participant pseudonym or outcome, current only, the page.</summary>
public sealed record DecisionListRequest(
    [property: FromQuery(Name = "participant")] string? Participant,
    [property: FromQuery(Name = "outcome")] string? Outcome,
    [property: FromQuery(Name = "current")] bool? Current,
    [property: FromQuery(Name = "after")] long? After,
    [property: FromQuery(Name = "limit")] int? Limit);

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
