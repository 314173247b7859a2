using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Intake;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace ConfigurableContracts.Server.Errors;

/// <summary>
/// Every error answer is an RFC 7807 ProblemDetails: unhandled exceptions become a plain 500 with a trace id
/// (never a stack trace or exception text, which could carry pseudonyms or connection details), and bare status
/// codes such as 404 or 405 get a body too. A write the database refused (full disk, read-only, lock timeout) is a 503
/// with its reason and Retry-After (<see cref="WriteFailureAnswers"/>).
/// </summary>
public static class ProblemDetailsExtensions
{
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddExceptionHandler<WriteFailureAnswers>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["traceId"] =
                context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity.Id ?? context.HttpContext.TraceIdentifier;
            if (context.Exception is BadHttpRequestException)
            {
                // Kestrel's and the binder's messages can quote the request; the status says what was wrong.
                context.ProblemDetails.Detail = "The request could not be read as sent.";
                context.ProblemDetails.Extensions.Remove("exception");
            }
            else if (context.Exception is not null)
            {
                // The developer exception details are deliberately dropped, also in Development.
                context.ProblemDetails.Detail = "An unexpected error occurred. Quote the traceId when reporting it.";
                context.ProblemDetails.Extensions.Remove("exception");
            }

            Redact(context.ProblemDetails);
        });
        return services;
    }

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = StatusFor });
        app.UseStatusCodePages();
        app.UseMiddleware<WriteFailureGate>();
        return app;
    }

    /// <summary>
    /// Messages may quote what the client sent (an unknown template id, a role); a personal identity number sent in
    /// the wrong field must still not come back, nor reach a log that records answers.
    /// </summary>
    private static void Redact(ProblemDetails problem)
    {
        problem.Title = problem.Title is null ? null : PersonalIdentityNumbers.Redact(problem.Title, JsonPath.MaskedName);
        problem.Detail = problem.Detail is null ? null : PersonalIdentityNumbers.Redact(problem.Detail, JsonPath.MaskedName);
        if (problem is HttpValidationProblemDetails validation)
        {
            var errors = validation.Errors.ToList();
            validation.Errors.Clear();
            foreach (var (path, messages) in errors)
            {
                var redacted = PersonalIdentityNumbers.Redact(path, JsonPath.MaskedName);
                validation.Errors[redacted] = [.. validation.Errors.TryGetValue(redacted, out var earlier) ? earlier : [],
                    .. messages.Select(m => PersonalIdentityNumbers.Redact(m, JsonPath.MaskedName))];
            }
        }
    }

    // A request body the client cut off or could not send is the client's problem, not a server fault.
    private static int StatusFor(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        OperationCanceledException => StatusCodes.Status499ClientClosedRequest,
        _ when DbErrors.WriteFailureOf(exception) is not null => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
