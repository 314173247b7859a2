using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Organisations;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Scheduling;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConfigurableContracts.Server.Contracts;

/// <summary>
/// <c>/api/contracts</c>: a commissioner creates contracts from a template version, edits drafts (If-Match),
/// activates and closes them; commissioners, auditors and the contract's providers read them, each only within
/// their organisation's scope (the store's SQL decides which rows exist for the caller).
/// </summary>
public static class ContractEndpoints
{
    public static WebApplication MapContracts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/contracts").WithTags("Contracts");

        group.MapPost("/", CreateContract).RequireAuthorization(Policies.Commissioner)
            .WithName(nameof(CreateContract))
            .WithSummary("Create a draft contract from a template version; parameters are validated against its contract schema (commissioner).");
        group.MapGet("/", ListContracts).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(ListContracts))
            .WithSummary("List the contracts you commission (commissioner, auditor) or deliver under (provider).");
        group.MapGet("/{contractId}", GetContract).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(GetContract))
            .WithSummary("Get one contract with its parameters; the ETag is its row version.");
        group.MapPut("/{contractId}", UpdateContract).RequireAuthorization(Policies.Commissioner)
            .WithName(nameof(UpdateContract))
            .WithSummary("Replace a draft's title and parameters; needs If-Match with the ETag you read (commissioner).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapPost("/{contractId}/activate", ActivateContract).RequireAuthorization(Policies.Commissioner)
            .WithName(nameof(ActivateContract))
            .WithSummary("Draft → active: providers may now enrol and measure (commissioner; If-Match optional).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{contractId}/close", CloseContract).RequireAuthorization(Policies.Commissioner)
            .WithName(nameof(CloseContract))
            .WithSummary("Active → closed: no more enrolments or measurements (commissioner; If-Match optional).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    public static async Task<Results<Created<ContractDto>, ValidationProblem>> CreateContract(
        CreateContractRequest request,
        RequestCaller requestCaller,
        TemplateCatalog catalog,
        ContractStore contracts,
        OrganisationStore organisations,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var caller = requestCaller.Caller;
        if (string.IsNullOrWhiteSpace(request.TemplateId) || string.IsNullOrWhiteSpace(request.TemplateVersion)
            || !catalog.TryGet(request.TemplateId, request.TemplateVersion, out var template))
        {
            var offered = catalog.VersionsOf(request.TemplateId ?? "").Select(v => v.Version).ToList();
            return Problems.Validation([new(
                string.IsNullOrWhiteSpace(request.TemplateId) ? "$.templateId" : "$.templateVersion",
                offered.Count == 0
                    ? $"No template '{request.TemplateId}' is offered; GET /api/templates lists those that are."
                    : $"Template '{request.TemplateId}' has no version '{request.TemplateVersion}'; offered: {string.Join(", ", offered)}.")]);
        }

        var (parameters, errors) = await ContractParameters.CheckAsync(
            template, request.Parameters, request.Title, caller.OrganisationId, organisations, cancellationToken).ConfigureAwait(false);
        if (parameters is null)
        {
            return Problems.Validation(errors);
        }

        var contract = await contracts.CreateAsync(caller, template, parameters.Title, parameters.Json, parameters.ProviderIds, cancellationToken).ConfigureAwait(false);
        response.Headers.ETag = RowVersionETag.Format(contract.RowVersion);
        return TypedResults.Created($"/api/contracts/{contract.Id}", ContractDto.From(contract));
    }

    public static async Task<Results<Ok<IReadOnlyList<ContractDto>>, ValidationProblem>> ListContracts(
        RequestCaller requestCaller, ContractStore contracts, CancellationToken cancellationToken, string? status = null, int limit = 100, int offset = 0)
    {
        if (status is not null && !ContractStatus.All.Contains(status))
        {
            return Problems.Validation([new("status", $"'{status}' is not one of {string.Join(", ", ContractStatus.All)}.")]);
        }

        if (limit is < 1 or > 500 || offset < 0)
        {
            return Problems.Validation([new("limit", "Use 1 ≤ limit ≤ 500 and offset ≥ 0.")]);
        }

        var found = await contracts.ListAsync(requestCaller.Caller, status, limit, offset, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<ContractDto>>(found.Select(ContractDto.From).ToList());
    }

    public static async Task<Results<Ok<ContractDto>, NotFound>> GetContract(
        string contractId, RequestCaller requestCaller, ContractStore contracts, HttpResponse response, CancellationToken cancellationToken)
    {
        var contract = await contracts.GetAsync(requestCaller.Caller, contractId, cancellationToken).ConfigureAwait(false);
        if (contract is null)
        {
            return TypedResults.NotFound();
        }

        response.Headers.ETag = RowVersionETag.Format(contract.RowVersion);
        return TypedResults.Ok(ContractDto.From(contract));
    }

    public static async Task<Results<Ok<ContractDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateContract(
        [AsParameters] EditDraftRequest request,
        RequestCaller requestCaller,
        BundleTemplates bundles,
        ContractStore contracts,
        OrganisationStore organisations,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (contractId, edit, ifMatch) = request;
        var caller = requestCaller.Caller;
        var current = await contracts.GetAsync(caller, contractId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return TypedResults.NotFound();
        }

        if (!RowVersionETag.TryParse(ifMatch, out var expected))
        {
            return Problems.PreconditionRequired("Send If-Match with the ETag of the contract as you read it, so no one else's edit is overwritten.");
        }

        if (current.Status != ContractStatus.Draft)
        {
            return Problems.Conflict($"The contract is {current.Status}; only a draft can be edited.");
        }

        if (await ContractTemplates.ForAsync(bundles, current, cancellationToken).ConfigureAwait(false) is not { } template)
        {
            return Problems.Conflict($"Template {current.TemplateId} {current.TemplateVersion} is not loaded, so the parameters cannot be checked.");
        }

        var (parameters, errors) = await ContractParameters.CheckAsync(
            template, edit.Parameters, edit.Title, caller.OrganisationId, organisations, cancellationToken).ConfigureAwait(false);
        if (parameters is null)
        {
            return Problems.Validation(errors);
        }

        var change = await contracts.UpdateDraftAsync(caller, contractId, expected, parameters.Title, parameters.Json, parameters.ProviderIds, cancellationToken).ConfigureAwait(false);
        return Answer(change, response);
    }

    public static async Task<Results<Ok<ContractDto>, NotFound, ProblemHttpResult>> ActivateContract(
        string contractId, [FromHeader(Name = "If-Match")] string? ifMatch, RequestCaller requestCaller, ContractStore contracts, ContractSchedule schedule,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var expected = RowVersionETag.TryParse(ifMatch, out var version) ? version : (int?)null;
        var change = await contracts.ActivateAsync(requestCaller.Caller, contractId, expected, cancellationToken).ConfigureAwait(false);

        // The nightly trigger follows the contract's status as stored, whatever this request achieved.
        await schedule.ScheduleAsync(contractId, cancellationToken).ConfigureAwait(false);
        return AnswerTransition(change, response);
    }

    public static async Task<Results<Ok<ContractDto>, NotFound, ProblemHttpResult>> CloseContract(
        string contractId, [FromHeader(Name = "If-Match")] string? ifMatch, RequestCaller requestCaller, ContractStore contracts, ContractSchedule schedule,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var expected = RowVersionETag.TryParse(ifMatch, out var version) ? version : (int?)null;
        var change = await contracts.CloseAsync(requestCaller.Caller, contractId, expected, cancellationToken).ConfigureAwait(false);

        // The nightly trigger follows the contract's status as stored, whatever this request achieved.
        await schedule.ScheduleAsync(contractId, cancellationToken).ConfigureAwait(false);
        return AnswerTransition(change, response);
    }

    private static Results<Ok<ContractDto>, NotFound, ValidationProblem, ProblemHttpResult> Answer(ContractChange change, HttpResponse response) =>
        AnswerTransition(change, response).Result switch
        {
            Ok<ContractDto> ok => ok,
            NotFound notFound => notFound,
            ProblemHttpResult problem => problem,
            _ => throw new InvalidOperationException("Unexpected result."),
        };

    private static Results<Ok<ContractDto>, NotFound, ProblemHttpResult> AnswerTransition(ContractChange change, HttpResponse response)
    {
        switch (change.Outcome)
        {
            case ContractChangeOutcome.Done:
                response.Headers.ETag = RowVersionETag.Format(change.Contract!.RowVersion);
                return TypedResults.Ok(ContractDto.From(change.Contract));
            case ContractChangeOutcome.WrongStatus:
                return Problems.Conflict($"The contract is {change.Contract!.Status}; that change is not possible from there.");
            case ContractChangeOutcome.Stale:
                return Problems.PreconditionFailed($"The contract changed since you read it; it is now at ETag {RowVersionETag.Format(change.Contract!.RowVersion)}.");
            default:
                return TypedResults.NotFound();
        }
    }
}
