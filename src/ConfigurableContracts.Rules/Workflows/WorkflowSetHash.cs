using System.Security.Cryptography;
using System.Text.Json;

namespace ConfigurableContracts.Rules.Workflows;

/// <summary>
/// SHA-256 over a normalised form of a set of workflows (objects with keys sorted, no whitespace, workflows
/// sorted by name), so that reformatting a file or reordering its keys does not invalidate a compiled-set cache.
/// Input types and functions are not part of it: callers caching per template combine it with their own hash.
/// </summary>
public static class WorkflowSetHash
{
    /// <summary>Lower-case hex SHA-256 of the normalised workflows.</summary>
    public static string Compute(IEnumerable<WorkflowDefinition> workflows)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var workflow in workflows.OrderBy(w => w.Name, StringComparer.Ordinal)) WriteNormalised(writer, workflow.Source);
            writer.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void WriteNormalised(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (property.Name == "$schema") continue;
                    writer.WritePropertyName(property.Name);
                    WriteNormalised(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteNormalised(writer, item);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
