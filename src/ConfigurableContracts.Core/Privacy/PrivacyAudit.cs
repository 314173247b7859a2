using ConfigurableContracts.Core.Audit;

namespace ConfigurableContracts.Core.Privacy;

/// <summary>
/// The audit entries the retention job writes, built in this one place (data subject exports are audited by the
/// request audit like every other read of participant data), so a change to the audit log's fields is a change
/// here only.
/// </summary>
public sealed class PrivacyAudit(AuditLog log)
{
    /// <summary>The subject the retention job acts as.</summary>
    public const string RetentionSubject = "system:retention";

    public const string RemovedAction = "retention.removed";

    /// <summary>
    /// One participant's data (or, with <paramref name="pseudonym"/> null, the contract's own remaining data) was
    /// removed. <paramref name="detail"/> says how much, never what.
    /// </summary>
    public Task RemovedAsync(string commissionerId, string contractId, string? pseudonym, string detail, CancellationToken cancellationToken) =>
        log.AppendAsync(
            new AuditEntry(RetentionSubject, commissionerId, null, RemovedAction, null, contractId, pseudonym, "retention", "removed", detail),
            cancellationToken);
}
