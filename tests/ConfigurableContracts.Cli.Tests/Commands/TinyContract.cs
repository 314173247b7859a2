using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Cli.Tests.Commands;

/// <summary>
/// An active contract over a real (tiny) stored bundle with a few participants, written straight to a migrated
/// database, so the database commands (evaluate, replay) run for real without a server.
/// </summary>
internal static class TinyContract
{
    public static async Task SeedAsync(DbConnectionFactory connections, string contractId, int participants)
    {
        await using var connection = await connections.OpenAsync();
        var at = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        await connection.ExecuteAsync("INSERT INTO organisations (id, name, created_at) VALUES ('org', 'Org', @at)", new { at });
        // A real (tiny) stored bundle, as if a contract had been created from it, so the run evaluates for real.
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["schemas/tiny/template.json"] = """
                {"id":"tiny","version":"1.0.0","title":{"en":"Tiny"},
                 "schemas":{"contract":"any.schema.json","participant":"any.schema.json","measurement":"any.schema.json"},
                 "rules":{"folder":"../../rules/tiny"},
                 "workflows":[{"name":"Count","file":"count.json","scope":"participant","inputs":{"participant":"participant","asOf":"date"}}],
                 "measurementPlan":{"points":[{"id":"baseline","offsetMonths":0}]}}
                """,
            ["schemas/tiny/any.schema.json"] = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}""",
            ["rules/tiny/count.json"] = """{"WorkflowName":"Count","Rules":[{"RuleName":"Enrolled","Expression":"participant != null"}]}""",
        };
        var hash = ConfigurableContracts.Core.Templates.TemplateLoader.BundleHash(files);
        await connection.ExecuteAsync(
            "INSERT INTO template_bundles (hash, template_id, version, files, stored_at) VALUES (@hash, 'tiny', '1.0.0', @files, @at)",
            new { hash, files = System.Text.Json.JsonSerializer.Serialize(files), at });
        await connection.ExecuteAsync(
            """
            INSERT INTO contracts (id, commissioner_id, template_id, template_version, bundle_hash, title, parameters, status, row_version, created_at, updated_at, activated_at)
            VALUES (@contractId, 'org', 'tiny', '1.0.0', @hash, 'T', '{}', 'active', 1, @at, @at, @at)
            """, new { contractId, hash, at });
        await connection.ExecuteAsync("INSERT INTO contract_providers (contract_id, provider_id) VALUES (@contractId, 'org')", new { contractId });
        for (var i = 0; i < participants; i++)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
                VALUES (@id, @contractId, 'org', @pseudonym, @enrolled, '{}', 1, @at, 'seed', @at)
                """, new { id = $"p{i}", contractId, pseudonym = $"P-{i}", enrolled = new DateOnly(2025, 9, 1), at });
        }
    }
}
