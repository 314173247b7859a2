using ConfigurableContracts.Core.Audit;

namespace ConfigurableContracts.Cli.Hosting;

/// <summary>
/// The audit entries the CLI writes for what it does straight against the database that the server would audit
/// as a request: issuing a credential and reading a participant's stored inputs by replay. Without them an
/// operator on the database host could mint keys or read children's data with no trace in the chain that
/// <c>contracts audit verify</c> checks. Each entry is appended before the command prints its result, so nothing
/// is shown that the log does not record.
/// </summary>
internal sealed class OperatorAudit(AuditLog log)
{
    /// <summary>How the operator is identified: by the operating-system account that ran the command.</summary>
    public const string Authentication = "os-user";

    public const string KeyCreatedAction = "cli.keys.create";
    public const string ReplayAction = "cli.replay";

    /// <summary>The subject of the CLI's entries: <c>cli:</c> and the operating-system user running it.</summary>
    public static string Subject
    {
        get
        {
            // Cut to the column, as the server cuts long token subjects.
            var subject = "cli:" + Environment.UserName;
            return subject.Length <= AuditEntry.MaxSubjectLength ? subject : subject[..AuditEntry.MaxSubjectLength];
        }
    }

    /// <summary>A key for <paramref name="organisationId"/> in <paramref name="role"/> was issued (the secret is never logged).</summary>
    public Task KeyCreatedAsync(string organisationId, string role, string keyId, CancellationToken cancellationToken) =>
        log.AppendAsync(
            new AuditEntry(Subject, null, null, KeyCreatedAction, "contracts keys create", null, null, null, "allowed",
                Detail: $"issued a {role} key for organisation '{organisationId}'",
                Authentication: Authentication,
                Resource: $"organisationId={organisationId}; role={role}; keyId={keyId}"),
            cancellationToken);

    /// <summary>
    /// A replay of <paramref name="decisionId"/> read the stored inputs of <paramref name="pseudonym"/> in
    /// <paramref name="contractId"/>; <paramref name="outcome"/> is <c>allowed</c>, or <c>not-found</c> for an
    /// unknown decision or one whose data was removed, so guessed ids show too.
    /// </summary>
    public Task ReplayedAsync(string decisionId, string? contractId, string? pseudonym, string outcome, string detail, CancellationToken cancellationToken) =>
        log.AppendAsync(
            new AuditEntry(Subject, null, null, ReplayAction, "contracts replay", contractId, pseudonym, null, outcome,
                Detail: detail,
                Authentication: Authentication,
                Resource: $"decisionId={(decisionId.Length <= 64 ? decisionId : decisionId[..64])}"),
            cancellationToken);
}
