using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Audit;

/// <summary>
/// What an audit entry about a request names, looked up from the ids in its route: the pseudonym behind a
/// participant id, the contract and pseudonym behind a decision id. Unscoped on purpose — a refused probe with a
/// guessed id must still say whose data it aimed at — and safe, because an entry about a contract is read only by
/// that contract's commissioner's auditors and by admins (<see cref="AuditLog.QueryAsync(Security.Caller, AuditQuery, CancellationToken)"/>),
/// who may see those pseudonyms anyway. Nothing looked up here reaches the caller's answer.
/// </summary>
public sealed class AuditTargets(DbConnectionFactory connections)
{
    /// <summary>The pseudonym of the participant with this id in this contract, or null.</summary>
    public async Task<string?> ParticipantPseudonymAsync(string contractId, string participantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT pseudonym FROM participants WHERE id = @participantId AND contract_id = @contractId",
            new { contractId, participantId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The contract of the decision with this id and, for a participant decision, its pseudonym; null when there is none.</summary>
    public async Task<(string ContractId, string? Pseudonym)?> DecisionAsync(string decisionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<(string ContractId, string? Pseudonym)?>(new CommandDefinition(
            """
            SELECT d.contract_id AS ContractId, p.pseudonym AS Pseudonym
            FROM decisions d LEFT JOIN participants p ON p.id = d.participant_id
            WHERE d.id = @decisionId
            """,
            new { decisionId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
