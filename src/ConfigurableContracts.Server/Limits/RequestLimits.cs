using System.Globalization;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Intake;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Limits;

/// <summary>
/// Caps the request body by endpoint — JSON Lines bulk endpoints get the bulk limit, every other endpoint the
/// ordinary one — and passes a JSON body to its endpoint only after <see cref="JsonInput.Check"/>, so a bad body
/// is answered with a ProblemDetails naming the JSON path instead of the binder's bare 400.
/// </summary>
internal sealed class RequestLimits(RequestDelegate next, IOptionsMonitor<LimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.CurrentValue;
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [];
        var bulk = accepts.Contains(JsonLinesBody.MediaType, StringComparer.OrdinalIgnoreCase);
        var limit = bulk ? limits.MaxBulkRequestBodyBytes : limits.MaxRequestBodyBytes;
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            await WriteTooLargeAsync(context, limit).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            serverLimit.MaxRequestBodySize = limit;
        }

        request.Body = new LimitedBodyStream(request.Body, limit);
        try
        {
            if (!bulk && accepts.Any(IsJson) && request.HasJsonContentType() && await CheckJsonAsync(context, limits).ConfigureAwait(false) is { } problem)
            {
                await problem.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // Read past the limit by the check above or by a bulk endpoint: a client error, not worth an error log.
            await WriteTooLargeAsync(context, limit).ConfigureAwait(false);
        }
    }

    internal static string TooLargeDetail(long limit) =>
        string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the {limit} bytes this endpoint accepts.");

    private static async Task<IResult?> CheckJsonAsync(HttpContext context, LimitOptions limits)
    {
        var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (JsonInput.Check(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), limits.MaxJsonDepth) is { } error)
        {
            return Problems.Validation([error]);
        }

        // The endpoint's binder reads the checked bytes again; they are at most MaxRequestBodyBytes.
        buffer.Position = 0;
        context.Request.Body = buffer;
        context.Response.RegisterForDispose(buffer);
        return null;
    }

    private static bool IsJson(string contentType) =>
        contentType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || contentType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static Task WriteTooLargeAsync(HttpContext context, long limit)
    {
        context.Response.Clear();
        return TypedResults.Problem(TooLargeDetail(limit), statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large").ExecuteAsync(context);
    }
}
