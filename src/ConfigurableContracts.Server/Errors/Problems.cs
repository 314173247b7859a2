using ConfigurableContracts.Core.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Errors;

/// <summary>
/// The non-validation problems endpoints answer with, worded once. They go through the ProblemDetails service,
/// so they carry the same <c>instance</c> and <c>traceId</c> as every other error.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    /// <summary>Not found, saying which part of the address names nothing, for endpoints whose addresses have several.</summary>
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>The resource existed and was removed on purpose (under retention); asking again will not bring it back.</summary>
    public static ProblemHttpResult Gone(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status410Gone, title: "Gone");

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed");

    public static ProblemHttpResult PreconditionRequired(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status428PreconditionRequired, title: "Precondition required");

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>
    /// Validation errors keyed by JSON path (<c>$.providers[2].id</c>), as the ProblemDetails <c>errors</c> member.
    /// </summary>
    public static ValidationProblem Validation(IEnumerable<DocumentError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var byPath = errors
            .GroupBy(e => e.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return TypedResults.ValidationProblem(byPath);
    }
}
