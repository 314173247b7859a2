namespace ConfigurableContracts.Core.Tests.Templates;

/// <summary>A small, valid template written to a temporary content root, which a test may then break on purpose.</summary>
internal sealed class TemplateFolder : IDisposable
{
    public const string Id = "tiny-template";

    public TemplateFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), $"cc_templates_{Guid.NewGuid():N}");
        Write($"schemas/{Id}/template.json", Manifest());
        Write($"schemas/{Id}/contract.schema.json", """{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["targetShare"], "properties": { "targetShare": { "type": "number" } } }""");
        Write($"schemas/{Id}/participant.schema.json", """{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["pseudonym"], "properties": { "pseudonym": { "type": "string" } } }""");
        Write($"schemas/{Id}/measurement.schema.json", """{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": { "score": { "type": "integer" } } }""");
        Write($"rules/{Id}/outcomes.json", """{ "WorkflowName": "Outcomes", "Rules": [ { "RuleName": "Scored", "Expression": "followUp != null" } ] }""");
        Write($"rules/{Id}/tests/outcomes.tests.json", """{ "cases": [ { "name": "scored", "workflow": "Outcomes", "inputs": { "followUp": { "score": 1 } }, "expect": { "Scored": "Achieved" } } ] }""");
    }

    public string Root { get; }

    public static string Manifest(string id = Id, string version = "1.0.0", string rulesFolder = $"../../rules/{Id}") => $$"""
        {
          "id": "{{id}}",
          "version": "{{version}}",
          "title": { "en": "Tiny", "sv": "Liten" },
          "description": { "en": "A template the loader tests break on purpose." },
          "schemas": { "contract": "contract.schema.json", "participant": "participant.schema.json", "measurement": "measurement.schema.json" },
          "rules": { "folder": "{{rulesFolder}}", "tests": "tests" },
          "workflows": [ { "name": "Outcomes", "file": "outcomes.json", "scope": "participant", "inputs": { "followUp": "measurement", "asOf": "date" } } ],
          "measurementPlan": { "points": [ { "id": "followUp", "input": "followUp", "offsetMonths": 3, "windowDaysBefore": 7, "windowDaysAfter": 14 } ] },
          "descriptiveParameters": [ "targetShare" ]
        }
        """;

    public void Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
