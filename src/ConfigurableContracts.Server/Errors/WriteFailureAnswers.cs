using System.Globalization;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Health;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ConfigurableContracts.Server.Errors;

/// <summary>
/// A write the database refused for a reason outside the request — a full disk, a read-only database, an I/O error,
/// a lock not granted in time — is answered 503 with a ProblemDetails that names the reason (<c>reason</c>, e.g.
/// <c>disk-full</c>) and a Retry-After, never as an unexpected 500: the same request can succeed later, unchanged.
/// </summary>
internal sealed class WriteFailureAnswers(IProblemDetailsService problems, DatabaseWrites writes, DbConnectionFactory connections) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (connections.WriteFailureOf(exception) is not { } failure)
        {
            return false;
        }

        // Before the answer starts: its audit entry is written then, and on a full disk needs the log's space back.
        await writes.FailedAsync(failure, CancellationToken.None).ConfigureAwait(false);
        return await WriteAsync(problems, httpContext, failure, failure.RetryAfter).ConfigureAwait(false);
    }

    /// <summary>The 503 answer for <paramref name="failure"/>.</summary>
    public static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext context, WriteFailure failure, TimeSpan retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = $"{failure.Description} The request was not completed; send it again after the Retry-After interval.",
                Extensions = { ["reason"] = failure.Reason },
            },
        });
    }
}

/// <summary>
/// While the storage refuses writes (<see cref="DatabaseWrites.Failing"/>), answers API requests that would write —
/// their own data or their audit entry — 503 at once, before anything is done or audited, as the rate limit answers
/// 429 before the audit: each would fail on the disk, and on a full disk its audit entry could not be written, which
/// leaves the server no answer but an empty 500. Reads that are not audited go on; so does <c>/health</c>.
/// </summary>
internal sealed class WriteFailureGate(RequestDelegate next, DatabaseWrites writes, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (writes.Failing is { } failure && WouldWrite(context))
        {
            await WriteFailureAnswers.WriteAsync(problems, context, failure, WriteProbe.WhileFailing).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool WouldWrite(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return false;
        }

        var method = context.Request.Method;
        return !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            || context.GetEndpoint()?.Metadata.GetMetadata<AuditReadsMetadata>() is not null;
    }
}
