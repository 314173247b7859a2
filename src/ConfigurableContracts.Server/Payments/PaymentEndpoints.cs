using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Payments;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Csv;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Payments;

/// <summary>
/// Payment statements from the append-only ledger, per contract, provider and period, as JSON or CSV; and the
/// approve/dispute review that decides whether a provider's period is released.
/// </summary>
public static partial class PaymentEndpoints
{
    public static WebApplication MapPayments(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/contracts/{contractId}/payments").WithTags("Payments").AuditReads();
        group.MapGet("/", GetPaymentStatement).RequireAuthorization(Policies.ContractReader).WithName(nameof(GetPaymentStatement))
            .WithSummary("What the contract owes for a period (period=YYYY-MM), per provider: the period's totals and a page of its ledger entries (after=, limit= up to 5000; nextAfter names the next page); format=csv for CSV.")
            .Produces<PaymentStatement>(contentType: "application/json")
            .Produces(StatusCodes.Status200OK, contentType: CsvDownload.MediaType);
        group.MapPut("/{period}/reviews/{providerId}", ReviewPayments).RequireAuthorization(Policies.PaymentReviewer).WithName(nameof(ReviewPayments))
            .WithSummary("Approve (release) or dispute (withhold) a provider's payments for a period (commissioner or auditor).");
        return app;
    }

    public static async Task<Results<Ok<PaymentStatement>, FileContentHttpResult, NotFound, ValidationProblem>> GetPaymentStatement(
        string contractId, string? period, string? format, long? after, int? limit, RequestCaller caller, HttpRequest http, PaymentStatements statements,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var errors = new List<DocumentError>();
        if (period is null || !Period().IsMatch(period))
        {
            errors.Add(new("period", $"'{period}' is not a period; use YYYY-MM, e.g. 2022-06."));
        }

        if (after < 0)
        {
            errors.Add(new("after", $"'{after}' is not a ledger sequence; use the nextAfter of the previous page, or leave it out for the first."));
        }

        if (limit is < 1 or > LedgerPage.MaxLimit)
        {
            errors.Add(new("limit", $"'{limit}' entries per page is outside 1–{LedgerPage.MaxLimit}."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var page = new LedgerPage(after ?? 0, limit ?? LedgerPage.MaxLimit);
        if (await statements.StatementAsync(caller.Caller, contractId, period!, page, cancellationToken) is not { } statement)
        {
            return TypedResults.NotFound();
        }

        // CSV has no body field for the cursor: the next page is named in a header instead.
        if (statement.NextAfter is { } next)
        {
            http.HttpContext.Response.Headers["X-Next-After"] = next.ToString(CultureInfo.InvariantCulture);
        }

        return CsvDownload.IsRequested(http, format, acceptMayAsk: false)
            ? TypedResults.File(Encoding.UTF8.GetBytes(ToCsv(statement)), CsvDownload.ContentType, $"payments-{contractId}-{period}.csv")
            : TypedResults.Ok(statement);
    }

    public static async Task<Results<Ok<PaymentReview>, NotFound, ValidationProblem>> ReviewPayments(
        string contractId, string period, string providerId, ReviewRequest request, RequestCaller caller, PaymentStatements statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<DocumentError>();
        if (!Period().IsMatch(period))
        {
            errors.Add(new("period", $"'{period}' is not a period; use YYYY-MM."));
        }

        if (request.Status is not ("approved" or "disputed"))
        {
            errors.Add(new("$.status", $"'{request.Status}' is not 'approved' or 'disputed'."));
        }

        if (request.Note is { Length: > 400 })
        {
            errors.Add(new("$.note", "The note is longer than 400 characters."));
        }
        else if (PersonalIdentityNumbers.RefusalOf(request.Note, "$.note") is { } refusal)
        {
            errors.Add(refusal);
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return await statements.ReviewAsync(caller.Caller, contractId, providerId, period, request.Status!, request.Note, cancellationToken) is { } review
            ? TypedResults.Ok(review)
            : TypedResults.NotFound();
    }

    /// <summary>One row per ledger entry, invariant numbers, RFC 4180 quoting: opens the same in any spreadsheet locale.</summary>
    internal static string ToCsv(PaymentStatement statement)
    {
        var csv = new StringBuilder("contract,period,provider,release,entry,type,kind,pseudonym,requested_amount,amount,currency,cap_note,corrects,decision,created_at\r\n");
        foreach (var provider in statement.Providers)
        {
            foreach (var e in provider.Entries)
            {
                csv.AppendJoin(',', new[]
                {
                    statement.ContractId, statement.Period, provider.ProviderId, provider.Release, e.Id, e.EntryType, e.Kind, e.Pseudonym ?? "",
                    e.RequestedAmount.ToString("0.00", CultureInfo.InvariantCulture), e.Amount.ToString("0.00", CultureInfo.InvariantCulture),
                    e.Currency, e.CapNote ?? "", e.CorrectsEntryId ?? "", e.DecisionId, e.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                }.Select(CsvDownload.Field)).Append("\r\n");
            }
        }

        return csv.ToString();
    }

    [GeneratedRegex(@"^\d{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex Period();
}

/// <summary>A review of a provider's payments for a period.</summary>
public sealed record ReviewRequest(string? Status, string? Note);
