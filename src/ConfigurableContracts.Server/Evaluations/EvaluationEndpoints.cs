using System.ComponentModel;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Runs;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConfigurableContracts.Server.Evaluations;

/// <summary>
/// Evaluation runs over HTTP: run a contract now, list runs, follow one run's progress. The group carries no
/// authorization of its own: the host puts it behind the API-key roles (run-now: commissioner or admin).
/// </summary>
public static class EvaluationEndpoints
{
    internal const int FirstPage = 1;
    internal const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapEvaluations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Evaluations");
        group.MapPost("/contracts/{contractId}/evaluations", StartEvaluation).RequireAuthorization(Policies.EvaluationRunner).WithName(nameof(StartEvaluation))
            .WithSummary("Run an active contract's evaluation now; 202 with the queued run (or the resumed one whose holder died), 409 while another run of it is active.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/contracts/{contractId}/evaluations", ListContractEvaluations).RequireAuthorization(Policies.EvaluationReader).WithName(nameof(ListContractEvaluations))
            .WithSummary("A contract's evaluation runs, newest first.");
        group.MapGet("/evaluations", ListEvaluations).RequireAuthorization(Policies.EvaluationReader).WithName(nameof(ListEvaluations))
            .WithSummary("Evaluation runs, newest first, filtered by contract and status, one page at a time (all contracts: admin only).");
        group.MapGet("/evaluations/{runId}", GetEvaluation).RequireAuthorization(Policies.EvaluationReader).WithName(nameof(GetEvaluation))
            .WithSummary("One evaluation run with its progress (participants done / total, rate), counts and error.");
        return group;
    }

    public static async Task<Results<Accepted<EvaluationRunDto>, ProblemHttpResult>> StartEvaluation(
        string contractId, RequestCaller caller, ContractStore visible, EvaluableContracts contracts, EvaluationRunner runner, ContractSchedule schedule, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await CanSeeAsync(caller, visible, contractId, cancellationToken).ConfigureAwait(false)
            || await contracts.FindActiveAsync(contractId, cancellationToken).ConfigureAwait(false) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such active contract",
                detail: $"Contract '{contractId}' does not exist or is not active; only active contracts are evaluated.");
        }

        var (run, created) = await runner.QueueManualAsync(contractId, cancellationToken).ConfigureAwait(false);
        if (!created && run.Status != RunStatus.Queued && run.LeaseExpiresAt < time.GetUtcNow())
        {
            // The active run's holder stopped renewing it (its process died): resuming it is this request's run.
            await schedule.RunNowAsync(new RunRequest(contractId, run.Trigger, run.ScheduledFor, run.Id), cancellationToken).ConfigureAwait(false);
            return TypedResults.Accepted(LocationOf(run), EvaluationRunDto.From(run));
        }

        if (!created)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "An evaluation of this contract is already active",
                detail: $"Run {run.Id} of contract '{contractId}' is {RunNames.Of(run.Status)}; a contract is evaluated by one run at a time.",
                extensions: new Dictionary<string, object?> { ["runId"] = run.Id, ["location"] = LocationOf(run) });
        }

        await schedule.RunNowAsync(new RunRequest(contractId, RunTrigger.Manual, run.ScheduledFor, run.Id), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(LocationOf(run), EvaluationRunDto.From(run));
    }

    public static async Task<Results<Ok<EvaluationRunPageDto>, ValidationProblem>> ListEvaluations(
        RequestCaller caller, ContractStore visible, EvaluationRunStore runs, [AsParameters] EvaluationListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (contractId, status, page, pageSize) = request;
        if (Validate(status, page, pageSize, out var statusFilter) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Runs name contracts: outside the platform admin, a caller lists the runs of one contract it can see.
        if (!caller.IsAdmin && contractId is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["contractId"] = ["contractId is required unless you are an admin."] });
        }

        if (contractId is not null && !await CanSeeAsync(caller, visible, contractId, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.Ok(new EvaluationRunPageDto([], page, pageSize, 0));
        }

        var (items, total) = await runs.ListAsync(new RunQuery(contractId, statusFilter, page, pageSize), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EvaluationRunPageDto([.. items.Select(EvaluationRunDto.From)], page, pageSize, total));
    }

    public static Task<Results<Ok<EvaluationRunPageDto>, ValidationProblem>> ListContractEvaluations(
        RequestCaller caller, ContractStore visible, EvaluationRunStore runs, [AsParameters] ContractEvaluationListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ListEvaluations(caller, visible, runs, new EvaluationListRequest(request.ContractId, request.Status, request.Page, request.PageSize), cancellationToken);
    }

    public static async Task<Results<Ok<EvaluationRunDto>, NotFound>> GetEvaluation(
        string runId, RequestCaller caller, ContractStore visible, EvaluationRunStore runs, CancellationToken cancellationToken) =>
        await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false) is { } run && await CanSeeAsync(caller, visible, run.ContractId, cancellationToken).ConfigureAwait(false)
            ? TypedResults.Ok(EvaluationRunDto.From(run))
            : TypedResults.NotFound();

    /// <summary>Admins see every run's record (no participant data); everyone else only runs of contracts their organisation can read.</summary>
    private static async Task<bool> CanSeeAsync(RequestCaller caller, ContractStore contracts, string contractId, CancellationToken cancellationToken) =>
        caller.IsAdmin || await contracts.CanSeeAsync(caller.Caller, contractId, cancellationToken).ConfigureAwait(false);

    private static string LocationOf(EvaluationRun run) => $"/api/evaluations/{run.Id}";

    private static Dictionary<string, string[]>? Validate(string? status, int page, int pageSize, out RunStatus? statusFilter)
    {
        var errors = new Dictionary<string, string[]>();
        statusFilter = null;
        if (status is not null)
        {
            if (RunNames.TryParseStatus(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["$.status"] = [$"'{status}' is not one of queued, running, retrying, succeeded, failed."];
            }
        }

        if (page < 1)
        {
            errors["$.page"] = [$"'{page}' must be 1 or more."];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["$.pageSize"] = [$"'{pageSize}' must be between 1 and {MaxPageSize}."];
        }

        return errors.Count == 0 ? null : errors;
    }
}

/// <summary>
/// The query string of <c>GET /api/evaluations</c>: the contract (required unless admin), the status, the page. The
/// OpenAPI document takes a property's default from <see cref="DefaultValueAttribute"/>, not from the constructor,
/// so each default is stated twice from one constant.
/// </summary>
public sealed record EvaluationListRequest(
    [property: FromQuery(Name = "contractId")] string? ContractId = null,
    [property: FromQuery(Name = "status")] string? Status = null,
    [property: FromQuery(Name = "page"), DefaultValue(EvaluationEndpoints.FirstPage)] int Page = EvaluationEndpoints.FirstPage,
    [property: FromQuery(Name = "pageSize"), DefaultValue(EvaluationEndpoints.DefaultPageSize)] int PageSize = EvaluationEndpoints.DefaultPageSize);

/// <summary>A contract's run list: the contract from the route, then the status and the page as <see cref="EvaluationListRequest"/> reads them.</summary>
public sealed record ContractEvaluationListRequest(
    [property: FromRoute(Name = "contractId")] string ContractId,
    [property: FromQuery(Name = "status")] string? Status = null,
    [property: FromQuery(Name = "page"), DefaultValue(EvaluationEndpoints.FirstPage)] int Page = EvaluationEndpoints.FirstPage,
    [property: FromQuery(Name = "pageSize"), DefaultValue(EvaluationEndpoints.DefaultPageSize)] int PageSize = EvaluationEndpoints.DefaultPageSize);

/// <summary>An evaluation run as the API shows it.</summary>
public sealed record EvaluationRunDto(
    string Id,
    string ContractId,
    string Trigger,
    string Status,
    DateTimeOffset ScheduledFor,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempt,
    string? InstanceId,
    EvaluationProgressDto Progress,
    IReadOnlyDictionary<string, long>? Counts,
    string? Error)
{
    public static EvaluationRunDto From(EvaluationRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.Id, run.ContractId, RunNames.Of(run.Trigger), RunNames.Of(run.Status), run.ScheduledFor, run.CreatedAt, run.StartedAt,
            run.FinishedAt, run.Attempt, run.InstanceId, EvaluationProgressDto.From(run), run.Counts, run.Error);
    }
}

/// <summary>How far a run has come: participants done of the total, percent, and participants per second.</summary>
public sealed record EvaluationProgressDto(int ParticipantsDone, int? ParticipantsTotal, double? Percent, double? Rate, DateTimeOffset? UpdatedAt)
{
    public static EvaluationProgressDto From(EvaluationRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        double? percent = run.ParticipantsTotal switch
        {
            > 0 and var total => Math.Round(100.0 * run.ParticipantsDone / total, 1),
            0 when run.Status == RunStatus.Succeeded => 100,
            _ => null,
        };
        return new(run.ParticipantsDone, run.ParticipantsTotal, percent, run.Rate, run.ProgressAt);
    }
}

/// <summary>One page of runs and how many there are in all.</summary>
public sealed record EvaluationRunPageDto(EvaluationRunDto[] Items, int Page, int PageSize, int Total);
