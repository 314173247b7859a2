using System.Text.Json;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Tests;

/// <summary>Input types like the seed template's, built from draft-07 schemas as the template loader does.</summary>
internal static class Schemas
{
    public const string Participant = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "required": ["id", "enrolledOn"],
          "properties": {
            "id": { "type": "string" },
            "age": { "type": "integer" },
            "enrolledOn": { "type": "string", "format": "date" },
            "exitReason": { "type": ["string", "null"], "enum": ["moved", "declined", "completed", null] },
            "sessions": { "type": "array", "items": { "$ref": "#/definitions/session" } },
            "tags": { "type": "array", "items": { "type": "string" } }
          },
          "definitions": {
            "session": {
              "type": "object",
              "properties": {
                "kind": { "type": "string", "enum": ["group", "individual"] },
                "minutes": { "type": "integer" },
                "on": { "type": "string", "format": "date" }
              }
            }
          }
        }
        """;

    public const string Measurement = """
        {
          "type": "object",
          "properties": {
            "measuredOn": { "type": "string", "format": "date" },
            "score": { "type": "number" },
            "attendance": { "type": "integer" }
          }
        }
        """;

    public const string Contract = """
        {
          "type": "object",
          "properties": {
            "activityPayment": { "type": "number" },
            "outcomePayment": { "type": "number" },
            "threshold": { "type": "number" },
            "caps": { "type": "object", "properties": { "perProvider": { "type": "number" } } }
          }
        }
        """;

    public static RuleType Parse(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return RuleType.FromJsonSchema(document.RootElement);
    }

    /// <summary>The participant-scoped inputs of the seed template.</summary>
    public static Dictionary<string, RuleType> ParticipantInputs() => new()
    {
        ["contract"] = Parse(Contract),
        ["participant"] = Parse(Participant),
        ["baseline"] = Parse(Measurement),
        ["followUp3"] = Parse(Measurement),
        ["followUp6"] = Parse(Measurement),
        ["asOf"] = RuleType.Date,
    };
}
