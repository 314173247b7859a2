using System.Globalization;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Health;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace ConfigurableContracts.Server.Errors;

/// <summary>
/// A write the database refused for a reason outside the request — a full disk, a read-only database, an I/O error,
/// a lock not granted in time — is answered 503 with a ProblemDetails that names the reason (<c>reason</c>, e.g.
/// <c>disk-full</c>) and a Retry-After, never as an unexpected 500: the same request can succeed later, unchanged.
/// </summary>
internal sealed class WriteFailureAnswers(IProblemDetailsService problems, DatabaseWrites writes, DbConnectionFactory connections) : IExceptionHandler
{
    /// <summary>Marks a response as this 503, in <see cref="HttpContext.Items"/>.</summary>
    private static readonly object Marker = new();

    /// <summary>Whether the response being sent is a 503 for a refused write.</summary>
    public static bool IsWriteFailureAnswer(HttpContext context) =>
        context.Items.ContainsKey(Marker) && context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable;

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
        context.Items[Marker] = failure;
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
/// 429 before the audit: each would fail on the disk. Reads that are not audited go on; so does <c>/health</c>.
/// </summary>
/// <remarks>
/// The first write to meet a full disk is answered by <see cref="WriteFailureAnswers"/>, after the audit middleware has
/// asked for the request's entry to be written as the answer starts. On a full disk that entry cannot be written
/// either, and a failure at the start of a response leaves the server (Kestrel) nothing to send but an empty 500. So
/// the callbacks run at the start of API responses are held here and run just before it: when one fails for want of
/// storage while the answer is the 503 for a refused write, the 503 still goes out — it says nothing was done and
/// carries no data — and the failure is logged; any other answer whose entry cannot be written is still not sent.
/// </remarks>
internal sealed partial class WriteFailureGate(RequestDelegate next, DatabaseWrites writes, IProblemDetailsService problems, DbConnectionFactory connections, ILogger<WriteFailureGate> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (writes.Failing is { } failure && WouldWrite(context))
        {
            await WriteFailureAnswers.WriteAsync(problems, context, failure, WriteProbe.WhileFailing).ConfigureAwait(false);
            return;
        }

        var response = context.Features.GetRequiredFeature<IHttpResponseFeature>();
        var held = new HeldStartCallbacks(response);
        response.OnStarting(state => ((WriteFailureGate)state).RunHeldAsync(context, held), this);
        context.Features.Set<IHttpResponseFeature>(held);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(response);
        }
    }

    private async Task RunHeldAsync(HttpContext context, HeldStartCallbacks held)
    {
        try
        {
            await held.RunAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (connections.WriteFailureOf(exception) is { } failure)
        {
            await writes.FailedAsync(failure, CancellationToken.None).ConfigureAwait(false);
            if (!WriteFailureAnswers.IsWriteFailureAnswer(context))
            {
                throw;
            }

            LogUnrecorded(logger, context.Request.Method, context.Request.Path, failure.Reason);
        }
    }

    private static bool WouldWrite(HttpContext context)
    {
        var method = context.Request.Method;
        return !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            || context.GetEndpoint()?.Metadata.GetMetadata<AuditReadsMetadata>() is not null;
    }

    [LoggerMessage(LogLevel.Error, "{Method} {Path} was answered 503 ({Reason}) without what its start writes (its audit entry): the database refuses writes")]
    private static partial void LogUnrecorded(ILogger logger, string method, string path, string reason);

    /// <summary>The response feature with the callbacks asked for at its start kept here, to run them in order.</summary>
    private sealed class HeldStartCallbacks(IHttpResponseFeature inner) : IHttpResponseFeature
    {
        private readonly Stack<(Func<object, Task> Callback, object State)> _callbacks = new();

        public int StatusCode { get => inner.StatusCode; set => inner.StatusCode = value; }

        public string? ReasonPhrase { get => inner.ReasonPhrase; set => inner.ReasonPhrase = value; }

        public IHeaderDictionary Headers { get => inner.Headers; set => inner.Headers = value; }

        [Obsolete("Use IHttpResponseBodyFeature.Stream instead.")]
        public Stream Body { get => inner.Body; set => inner.Body = value; }

        public bool HasStarted => inner.HasStarted;

        public void OnStarting(Func<object, Task> callback, object state)
        {
            if (inner.HasStarted)
            {
                // As the server itself refuses: a callback asked for after the start would never run.
                throw new InvalidOperationException("The response has already started.");
            }

            _callbacks.Push((callback, state));
        }

        public void OnCompleted(Func<object, Task> callback, object state) => inner.OnCompleted(callback, state);

        /// <summary>Runs the held callbacks, last asked first, as the server would.</summary>
        public async Task RunAsync()
        {
            while (_callbacks.TryPop(out var entry))
            {
                await entry.Callback(entry.State).ConfigureAwait(false);
            }
        }
    }
}
