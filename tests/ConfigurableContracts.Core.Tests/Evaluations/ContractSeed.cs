using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Tests.Evaluations;

/// <summary>Writes the rows an evaluation needs: an organisation, a bundle, a contract and its participants.</summary>
internal static class ContractSeed
{
    public static readonly DateTimeOffset ActivatedAt = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static async Task AddContractAsync(DbConnectionFactory connections, string contractId, int participants, string status = "active", string? scheduleCron = null)
    {
        await using var connection = await connections.OpenAsync();
        var at = ActivatedAt;
        var organisation = "org-" + contractId;
        var bundle = "bundle-" + contractId;
        await connection.ExecuteAsync("INSERT INTO organisations (id, name, created_at) VALUES (@organisation, 'Org', @at)", new { organisation, at });
        await connection.ExecuteAsync(
            "INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES (@bundle, 't', '1.0.0', '{}', @at)", new { bundle, at });
        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version,
                created_at, updated_at, activated_at, schedule_cron)
            VALUES (@contractId, @organisation, 't', '1.0.0', @bundle, 'T', '{}', @status, 1, @at, @at, @at, @scheduleCron)
            """,
            new { contractId, organisation, bundle, status, at, scheduleCron });
        await connection.ExecuteAsync("INSERT INTO contract_providers (contract_id, provider_id) VALUES (@contractId, @organisation)", new { contractId, organisation });
        for (var i = 0; i < participants; i++)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
                VALUES (@id, @contractId, @organisation, @pseudonym, @enrolled, '{}', 1, @at, 'seed', @at)
                """,
                new { id = $"{contractId}-p{i}", contractId, organisation, pseudonym = $"HV-{i:D5}", enrolled = new DateOnly(2025, 9, 1), at });
        }
    }
}
