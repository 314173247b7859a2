using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Security;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>
/// The audit entries privacy work writes — removals under retention and data-subject exports — built in this one
/// place, so a change to the audit log's fields is a change here only.
/// </summary>
public sealed class PrivacyAudit(AuditLog log)
{
    /// <summary>The subject the retention job acts as.</summary>
    public const string RetentionSubject = "system:retention";

    public const string RemovedAction = "retention.removed";

    public const string ExportAction = "participants.export";

    /// <summary>
    /// One participant's data (or, with <paramref name="pseudonym"/> null, the contract's own remaining data) was
    /// removed. <paramref name="detail"/> says how much, never what.
    /// </summary>
    public Task RemovedAsync(string commissionerId, string contractId, string? pseudonym, string detail, CancellationToken cancellationToken) =>
        log.AppendAsync(
            new AuditEntry(RetentionSubject, commissionerId, null, RemovedAction, null, contractId, pseudonym, "retention", "removed", detail),
            cancellationToken);

    /// <summary>A caller asked for everything stored about one pseudonym; <paramref name="status"/> is the HTTP answer.</summary>
    public Task ExportedAsync(Caller caller, string endpoint, string contractId, string pseudonym, int status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return log.AppendAsync(
            new AuditEntry(caller.ActorId, caller.OrganisationId, caller.Role, ExportAction, endpoint, contractId, pseudonym, "data subject request",
                status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            cancellationToken);
    }
}
