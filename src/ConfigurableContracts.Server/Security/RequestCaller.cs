using System.Reflection;
using ConfigurableContracts.Core.Security;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// Who is calling, as a handler parameter: read once from the authenticated principal's claims while the request is
/// bound, so no handler reads claims itself. Custom-bound, so it is not part of the OpenAPI document.
/// </summary>
public sealed class RequestCaller : IBindableFromHttpContext<RequestCaller>
{
    private RequestCaller(Caller caller, bool isAdmin)
    {
        Caller = caller;
        IsAdmin = isAdmin;
    }

    /// <summary>The organisation, role and actor every store scopes its SQL by.</summary>
    public Caller Caller { get; }

    /// <summary>A platform admin, who may see records (never participant data) across organisations.</summary>
    public bool IsAdmin { get; }

    public static ValueTask<RequestCaller?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult<RequestCaller?>(From(context));
    }

    internal static RequestCaller From(HttpContext context) => new(context.User.ToCaller(), context.User.IsInRole(Roles.Admin));
}
