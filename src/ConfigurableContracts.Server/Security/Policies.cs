using ConfigurableContracts.Core.Security;
using Microsoft.AspNetCore.Authorization;

namespace ConfigurableContracts.Server.Security;

/// <summary>
/// The authorization policies endpoint groups use. Roles decide which endpoints a caller may reach; which rows it
/// then sees is decided by the stores' SQL from the caller's organisation.
/// </summary>
public static class Policies
{
    public const string Admin = "admin";

    /// <summary>Creates, updates, activates and closes its own organisation's contracts.</summary>
    public const string Commissioner = "commissioner";

    /// <summary>Enrols participants and records measurements under contracts that name it.</summary>
    public const string Provider = "provider";

    /// <summary>Reads contracts, participants and measurements within its organisation's scope.</summary>
    public const string ContractReader = "contract-reader";

    /// <summary>Starts a contract's evaluation now: its commissioner, or an admin running the platform.</summary>
    public const string EvaluationRunner = "evaluation-runner";

    /// <summary>Reads evaluation runs: admins all of them, others those of contracts they can see.</summary>
    public const string EvaluationReader = "evaluation-reader";

    /// <summary>Approves or disputes a period's payments: the commissioner, or an auditor acting as verifier.</summary>
    public const string PaymentReviewer = "payment-reviewer";

    /// <summary>Reads the list of organisations (to name providers in a contract).</summary>
    public const string OrganisationReader = "organisation-reader";

    /// <summary>Reads the audit log: auditors what their organisation commissions, admins all of it.</summary>
    public const string AuditReader = "audit-reader";

    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Admin, policy => policy.RequireRole(Roles.Admin));
        options.AddPolicy(Commissioner, policy => policy.RequireRole(Roles.Commissioner));
        options.AddPolicy(Provider, policy => policy.RequireRole(Roles.Provider));
        options.AddPolicy(ContractReader, policy => policy.RequireRole(Roles.Commissioner, Roles.Provider, Roles.Auditor));
        options.AddPolicy(EvaluationRunner, policy => policy.RequireRole(Roles.Admin, Roles.Commissioner));
        options.AddPolicy(EvaluationReader, policy => policy.RequireRole(Roles.Admin, Roles.Commissioner, Roles.Auditor, Roles.Provider));
        options.AddPolicy(PaymentReviewer, policy => policy.RequireRole(Roles.Commissioner, Roles.Auditor));
        options.AddPolicy(OrganisationReader, policy => policy.RequireRole(Roles.Admin, Roles.Commissioner));
        options.AddPolicy(AuditReader, policy => policy.RequireRole(Roles.Admin, Roles.Auditor));

        // The server is never open: an endpoint that names no policy still needs an authenticated caller.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}
