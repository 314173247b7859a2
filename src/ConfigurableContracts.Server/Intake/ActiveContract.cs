using System.Reflection;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Intake;

/// <summary>
/// The contract a participant or measurement is taken under: the one the route's <c>{contractId}</c> names, visible
/// to the caller, active, with the template version its documents are checked against. Looked up once while the
/// request is bound; an endpoint that takes it adds <see cref="ActiveContractFilter.RequireActiveContract"/>, which
/// answers 404 (not visible) or 409 (not active, template not loaded) before the handler runs. Custom-bound parameters
/// are left out of the OpenAPI document, so handlers still take <c>string contractId</c>, which describes the route.
/// </summary>
public sealed class ActiveContract : IBindableFromHttpContext<ActiveContract>
{
    private readonly TemplateVersion? _template;

    private ActiveContract(Caller caller, TemplateVersion? template, IResult? refusal)
    {
        Caller = caller;
        _template = template;
        Refusal = refusal;
    }

    public Caller Caller { get; }

    /// <summary>The template version of the contract's pinned bundle.</summary>
    public TemplateVersion Template =>
        _template ?? throw new InvalidOperationException("The contract is not active for this caller; the endpoint needs RequireActiveContract().");

    /// <summary>What to answer instead of running the handler; null when the contract is active and its template loaded.</summary>
    internal IResult? Refusal { get; }

    public static async ValueTask<ActiveContract?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.Request.RouteValues["contractId"] as string
            ?? throw new InvalidOperationException("ActiveContract is bound only on routes with a {contractId}.");
        var caller = RequestCaller.From(context).Caller;
        var services = context.RequestServices;
        var contract = await services.GetRequiredService<ContractStore>().GetAsync(caller, id, context.RequestAborted).ConfigureAwait(false);
        if (contract is null)
        {
            return new(caller, null, TypedResults.NotFound());
        }

        if (contract.Status != ContractStatus.Active)
        {
            return new(caller, null, Problems.Conflict($"The contract is {contract.Status}; participants and measurements are taken only while it is active."));
        }

        return await ContractTemplates.ForAsync(services.GetRequiredService<BundleTemplates>(), contract, context.RequestAborted).ConfigureAwait(false) is { } template
            ? new(caller, template, null)
            : new(caller, null, Problems.Conflict(
                $"Template {contract.TemplateId} {contract.TemplateVersion} is not loaded, so documents cannot be checked; see GET /api/templates/{contract.TemplateId}/diagnostics."));
    }
}

/// <summary>Answers for the handler when the route's contract is not visible or not active.</summary>
public static class ActiveContractFilter
{
    /// <summary>
    /// Refuses the request with the <see cref="ActiveContract"/>'s refusal. Filters run in the order they are added, so
    /// checks that must answer first (the upload's content type) are added before this one.
    /// </summary>
    public static RouteHandlerBuilder RequireActiveContract(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(async (context, next) =>
            context.Arguments.OfType<ActiveContract>().Single().Refusal is { } refusal ? refusal : await next(context).ConfigureAwait(false));
    }
}
