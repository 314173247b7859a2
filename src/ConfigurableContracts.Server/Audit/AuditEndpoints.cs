using System.Globalization;
using System.Text;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Csv;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace ConfigurableContracts.Server.Audit;

/// <summary>
/// The audit of API access — an entry for every write, every read of participant data and every refused request —
/// and <c>GET /api/audit</c>, where auditors read their organisation's part of the log and admins all of it.
/// </summary>
public static class AuditEndpoints
{
    private const int MaxPageSize = 1000;

    /// <summary>Pages of this size make up a CSV export, so an export of a year never sits in memory at once.</summary>
    private const int ExportPageSize = 1000;

    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The log itself is Core's (AddContractsCore); the server adds the request audit and its Purpose header.
        builder.Services.ConfigureSwaggerGen(options => options.OperationFilter<PurposeHeader.OperationFilter>());
        return builder;
    }

    /// <summary>Audits the API from here on (call before authentication, so refusals are seen too) and maps <c>GET /api/audit</c>.</summary>
    public static WebApplication UseAudit(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<AuditMiddleware>();
        app.MapGet("/api/audit", ListAuditEntries).RequireAuthorization(Policies.AuditReader).AuditReads()
            .WithName(nameof(ListAuditEntries)).WithTags("Audit")
            .WithSummary("Audit entries, oldest first, filtered by participant pseudonym, organisation and period [from, to); next page with after=next. CSV of every match with Accept: text/csv or format=csv (auditor, admin).")
            .Produces<AuditPageDto>(contentType: "application/json")
            .Produces(StatusCodes.Status200OK, contentType: CsvDownload.MediaType);
        return app;
    }

    /// <summary>Audits successful reads of these endpoints too: they show participant data.</summary>
    public static TBuilder AuditReads<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(AuditReadsMetadata.Instance);
    }

    public static async Task<Results<Ok<AuditPageDto>, EmptyHttpResult, ValidationProblem>> ListAuditEntries(
        HttpContext context, RequestCaller requestCaller, AuditLog log, [AsParameters] AuditEntriesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var (participant, organisation, from, to, after, limit, format) = request;
        var errors = new List<DocumentError>();
        if (from is not null && to is not null && from >= to)
        {
            errors.Add(new("to", $"'{to:O}' is not after from '{from:O}'."));
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add(new("limit", $"'{limit}' is not between 1 and {MaxPageSize}."));
        }

        if (after is < 0)
        {
            errors.Add(new("after", $"'{after}' is negative."));
        }

        if (format is not null && format is not ("csv" or "json"))
        {
            errors.Add(new("format", $"'{format}' is not csv or json."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var caller = requestCaller.Caller;
        var query = new AuditQuery(participant, organisation, from, to, after ?? 0, limit ?? 100);
        if (CsvDownload.IsRequested(context.Request, format, acceptMayAsk: true))
        {
            await WriteCsvAsync(context.Response, log, caller, query, cancellationToken).ConfigureAwait(false);
            return TypedResults.Empty;
        }

        // One entry more than the page tells whether there is a next page, so the last page says so itself.
        var entries = await log.QueryAsync(caller, query with { Limit = query.Limit + 1 }, cancellationToken).ConfigureAwait(false);
        var page = entries.Take(query.Limit).Select(AuditEntryDto.From).ToList();
        return TypedResults.Ok(new AuditPageDto(page, entries.Count > query.Limit ? page[^1].Sequence : null));
    }

    private static async Task WriteCsvAsync(HttpResponse response, AuditLog log, Core.Security.Caller caller, AuditQuery query, CancellationToken cancellationToken)
    {
        response.ContentType = CsvDownload.ContentType;
        response.Headers[HeaderNames.ContentDisposition] = "attachment; filename=\"audit.csv\"";
        await response.WriteAsync(
            "sequence,occurred_at,subject,authentication,organisation,role,action,endpoint,contract,participant,participants,resource,purpose,outcome,status,detail,request_id,hash\r\n",
            cancellationToken).ConfigureAwait(false);
        var page = query with { Limit = ExportPageSize };
        while (true)
        {
            var entries = await log.QueryAsync(caller, page, cancellationToken).ConfigureAwait(false);
            var csv = new StringBuilder();
            foreach (var e in entries)
            {
                csv.AppendJoin(',', new[]
                {
                    e.Sequence.ToString(CultureInfo.InvariantCulture), e.OccurredAt.ToString("O", CultureInfo.InvariantCulture), e.Subject, e.Authentication ?? "",
                    e.OrganisationId ?? "", e.Role ?? "", e.Action, e.Endpoint ?? "", e.ContractId ?? "", e.ParticipantPseudonym ?? "", string.Join(' ', e.Pseudonyms),
                    e.Resource ?? "", e.Purpose ?? "", e.Outcome, e.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "", e.Detail ?? "", e.RequestId ?? "", e.Hash,
                }.Select(CsvDownload.Field)).Append("\r\n");
            }

            await response.WriteAsync(csv.ToString(), cancellationToken).ConfigureAwait(false);
            if (entries.Count < ExportPageSize)
            {
                return;
            }

            page = page with { AfterSequence = entries[^1].Sequence };
        }
    }
}

/// <summary>The query string of <c>GET /api/audit</c>: filters, the page, and <c>format</c> (csv or json).</summary>
public sealed record AuditEntriesRequest(
    [property: FromQuery(Name = "participant")] string? Participant,
    [property: FromQuery(Name = "organisation")] string? Organisation,
    [property: FromQuery(Name = "from")] DateTimeOffset? From,
    [property: FromQuery(Name = "to")] DateTimeOffset? To,
    [property: FromQuery(Name = "after")] long? After,
    [property: FromQuery(Name = "limit")] int? Limit,
    [property: FromQuery(Name = "format")] string? Format);

/// <summary>One page of audit entries; <c>next</c> is the <c>after</c> of the following page, null on the last.</summary>
public sealed record AuditPageDto(IReadOnlyList<AuditEntryDto> Items, long? Next);

/// <summary>An audit entry as the API shows it, with its place in the hash chain.</summary>
public sealed record AuditEntryDto(
    long Sequence,
    DateTimeOffset OccurredAt,
    string Subject,
    string? Authentication,
    string? OrganisationId,
    string? Role,
    string Action,
    string? Endpoint,
    string? ContractId,
    string? ParticipantPseudonym,
    IReadOnlyList<string> Pseudonyms,
    string? Resource,
    string? Purpose,
    string Outcome,
    int? StatusCode,
    string? Detail,
    string? RequestId,
    string PreviousHash,
    string Hash)
{
    public static AuditEntryDto From(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Sequence, record.OccurredAt, record.Subject, record.Authentication, record.OrganisationId, record.Role, record.Action,
            record.Endpoint, record.ContractId, record.ParticipantPseudonym, record.Pseudonyms, record.Resource, record.Purpose, record.Outcome,
            record.StatusCode, record.Detail, record.RequestId, record.PreviousHash, record.Hash);
    }
}
