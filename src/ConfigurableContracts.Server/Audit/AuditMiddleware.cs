using System.Diagnostics;
using System.Globalization;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Intake;
using Microsoft.AspNetCore.Http.Features;

namespace ConfigurableContracts.Server.Audit;

/// <summary>
/// Writes one audit entry per API request that writes, reads participant data (endpoints marked with
/// <see cref="AuditReadsMetadata"/>), or is refused (401, 403, 404). The entry is sealed into the chain when the
/// response starts — before a byte of the answer leaves, so an answer whose entry cannot be written is not sent —
/// or, if the response never starts (the client went away), when the request ends.
/// </summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, AuditLog log, AuditTargets targets, ILogger<AuditMiddleware> logger)
{
    /// <summary>Sizes of the audit_log columns on SQL Server, the narrowest database; longer guessed ids are cut, not refused.</summary>
    private const int IdLength = 64;
    private const int TextLength = 400;

    public async Task InvokeAsync(HttpContext context)
    {
        // Routing answers a method or a content type that no endpoint accepts (405, 415) with an endpoint of its own,
        // without a route pattern: such a refused request to the API is audited under its path, like any other refusal.
        var endpoint = context.GetEndpoint();
        var pattern = endpoint is RouteEndpoint route ? route.RoutePattern.RawText : context.Request.Path.Value;
        if (endpoint is null || pattern?.StartsWith("/api", StringComparison.Ordinal) != true)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var purpose = PurposeHeader.Read(context.Request, out var purposeError);
        var audit = new RequestAudit(endpoint, pattern, context.Request.Method, context.Request.RouteValues, purpose);
        context.Features.Set(audit);
        context.Response.OnStarting(() => WriteAsync(context, audit));
        context.Response.OnCompleted(() => WriteLateAsync(context, audit));
        if (purposeError is not null)
        {
            await PurposeHeader.RefuseAsync(context, purposeError).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private async Task WriteAsync(HttpContext context, RequestAudit audit)
    {
        if (IsAudited(audit, context.Response.StatusCode) && audit.TakeTurnToWrite())
        {
            await log.AppendAsync(await EntryAsync(context, audit).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task WriteLateAsync(HttpContext context, RequestAudit audit)
    {
        try
        {
            await WriteAsync(context, audit).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing can be answered any more; the log is where this must show.
            LogLateWriteFailed(logger, exception, audit.Method, audit.Pattern);
        }
    }

    private static bool IsAudited(RequestAudit audit, int statusCode) =>
        !HttpMethods.IsGet(audit.Method) && !HttpMethods.IsHead(audit.Method) && !HttpMethods.IsOptions(audit.Method)
        || audit.Endpoint.Metadata.GetMetadata<AuditReadsMetadata>() is not null
        || statusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound;

    private async Task<AuditEntry> EntryAsync(HttpContext context, RequestAudit audit)
    {
        var (subject, organisationId, role, authentication) = RequestAudit.Who(context.User);
        var pattern = audit.Pattern;
        var names = audit.Parameters;
        var contractId = Value(audit, "contractId");
        // A handler that read the participant names it; otherwise a participant id in the route is looked up (never
        // taken from the query string, which the caller controls); otherwise the pseudonym the request itself names.
        string? pseudonym;
        if (audit.Pseudonym is { } named)
        {
            pseudonym = named;
        }
        else if (Value(audit, "participantId") is { } participantId && contractId is not null)
        {
            pseudonym = await targets.ParticipantPseudonymAsync(contractId, participantId, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            pseudonym = Value(audit, "pseudonym") ?? (context.Request.Query["participant"].Count == 1 ? context.Request.Query["participant"][0] : null);
        }

        if (Value(audit, "decisionId") is { } decisionId && await targets.DecisionAsync(decisionId, CancellationToken.None).ConfigureAwait(false) is { } decision)
        {
            (contractId, pseudonym) = (decision.ContractId, decision.Pseudonym);
        }

        var resource = string.Join("; ", names.Where(n => n != "contractId" && Value(audit, n) is not null).Select(n => $"{n}={Clip(Value(audit, n), IdLength)}"));
        var status = context.Response.StatusCode;
        pseudonym = Masked(pseudonym);
        return new AuditEntry(
            Subject: Clip(Masked(subject), AuditEntry.MaxSubjectLength)!,
            OrganisationId: organisationId,
            Role: role,
            Action: Clip(Masked(audit.Endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? $"{audit.Method} {pattern}"), 100)!,
            Endpoint: Clip(Masked($"{audit.Method} {pattern}"), TextLength),
            ContractId: Clip(Masked(contractId), IdLength),
            ParticipantPseudonym: pseudonym is { Length: <= IdLength } ? pseudonym : null,
            Purpose: Masked(audit.Purpose),
            Outcome: RequestAudit.OutcomeOf(status),
            Detail: Masked(audit.Detail),
            Authentication: authentication,
            StatusCode: status,
            Resource: resource.Length == 0 ? null : Clip(Masked(resource), TextLength),
            RequestId: Clip(Masked(context.Features.Get<IHttpActivityFeature>()?.Activity.Id ?? Activity.Current?.Id ?? context.TraceIdentifier), 100),
            Pseudonyms: audit.Pseudonyms.Select(p => Masked(p)!).ToList());
    }

    /// <summary>
    /// Caller-chosen text with every personal identity number replaced. The route, the query, a 405's path, a token's
    /// subject and the trace id all come from the caller, and <c>audit_log</c> keeps them for ever: a number typed
    /// into an address (<c>/api/contracts/121212-1212</c>) must not end up beside the pseudonyms. Masked before it is
    /// cut to the column, so a cut never leaves a number half-masked.
    /// </summary>
    private static string? Masked(string? text) => text is null ? null : PersonalIdentityNumbers.Redact(text, JsonPath.MaskedName);

    private static string? Value(RequestAudit audit, string name) =>
        audit.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static string? Clip(string? text, int length) => text is null || text.Length <= length ? text : text[..length];

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit entry for {Method} {Endpoint} could not be written after the response ended")]
    private static partial void LogLateWriteFailed(ILogger logger, Exception exception, string method, string? endpoint);
}
