using System.Security.Claims;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Server.Security;

namespace ConfigurableContracts.Server.Audit;

/// <summary>
/// The audit entry one API request is building, kept as a request feature: the middleware fills in who, what and
/// the outcome; an endpoint adds what only it knows — the participants a bulk upload touched and its counts.
/// </summary>
public sealed class RequestAudit
{
    private readonly List<string> _pseudonyms = [];
    private int _written;

    internal RequestAudit(Endpoint endpoint, string pattern, string method, RouteValueDictionary routeValues, string? purpose)
    {
        Endpoint = endpoint;
        Pattern = pattern;
        Parameters = endpoint is RouteEndpoint route ? route.RoutePattern.Parameters.Select(p => p.Name).ToList() : [];
        Method = method;
        RouteValues = new RouteValueDictionary(routeValues); // the exception handler clears the request's own copy
        Purpose = purpose;
    }

    internal Endpoint Endpoint { get; }

    /// <summary>The route pattern, or the request path where routing itself answered (405, 415) and there is none.</summary>
    internal string Pattern { get; }

    internal IReadOnlyList<string> Parameters { get; }

    internal string Method { get; }

    internal RouteValueDictionary RouteValues { get; }

    internal string? Purpose { get; }

    internal string? Detail { get; private set; }

    internal string? Pseudonym { get; private set; }

    internal IReadOnlyList<string> Pseudonyms => _pseudonyms;

    /// <summary>The entry being built for this request, or null outside the audited API.</summary>
    public static RequestAudit? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<RequestAudit>();
    }

    /// <summary>Names the one participant a request is about when its route does not (an enrolment names it in the body).</summary>
    public void Names(string pseudonym) => Pseudonym = pseudonym;

    /// <summary>Records that the request touched these participants, with a short count of what it did, e.g. <c>lines=3 accepted=2 rejected=1</c>.</summary>
    public void Concerns(IEnumerable<string> pseudonyms, string detail)
    {
        _pseudonyms.AddRange(pseudonyms);
        Detail = detail;
    }

    /// <summary>True the first time only: the entry is written at response start, or at the end if the response never started.</summary>
    internal bool TakeTurnToWrite() => Interlocked.Exchange(ref _written, 1) == 0;

    internal static (string Subject, string? OrganisationId, string? Role, string? Authentication) Who(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return ("anonymous", null, null, null);
        }

        var caller = user.ToCaller();
        var authentication = user.Identity.AuthenticationType switch
        {
            ApiKeyAuthenticationHandler.SchemeName => "api-key",
            JwtBearerSetup.SchemeName => "jwt",
            var other => other,
        };
        return (caller.ActorId, caller.OrganisationId, caller.Role, authentication);
    }

    /// <summary>The word for an answer, so an auditor can filter without knowing HTTP.</summary>
    internal static string OutcomeOf(int statusCode) => statusCode switch
    {
        < 400 => "allowed",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "denied",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status429TooManyRequests => "throttled",
        StatusCodes.Status499ClientClosedRequest => "aborted",
        < 500 => "invalid",
        _ => "failed",
    };
}

/// <summary>Marks endpoints whose successful reads are audited too, not only their writes and refusals.</summary>
public sealed class AuditReadsMetadata
{
    public static AuditReadsMetadata Instance { get; } = new();

    private AuditReadsMetadata()
    {
    }
}
