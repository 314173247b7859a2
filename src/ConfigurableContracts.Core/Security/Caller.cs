namespace ConfigurableContracts.Core.Security;

/// <summary>
/// Who is asking: the organisation, the role it acts in, and the key (or user) that authenticated. Every store
/// query over contract data takes one, so scoping lives in the SQL and a forgotten endpoint check cannot leak rows.
/// </summary>
/// <param name="OrganisationId">The caller's organisation; the only organisation whose rows it may touch.</param>
/// <param name="Role">One of <see cref="Roles"/>.</param>
/// <param name="ActorId">The key id or user id, written to <c>created_by</c>/<c>recorded_by</c>.</param>
public sealed record Caller(string OrganisationId, string Role, string ActorId)
{
    public bool IsProvider => Role == Roles.Provider;

    /// <summary>Commissioners and auditors see what their organisation commissions.</summary>
    public bool ReadsAsCommissioner => Role is Roles.Commissioner or Roles.Auditor;
}
