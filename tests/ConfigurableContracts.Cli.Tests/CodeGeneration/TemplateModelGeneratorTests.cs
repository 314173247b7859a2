using System.Text.Json;
using ConfigurableContracts.Cli.CodeGeneration;
using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Cli.Tests.CodeGeneration;

/// <summary>
/// The generator on schemas that use what the shipped templates do not: a $ref into another file of the template
/// folder that two documents share, and two documents that each define a type of the same name.
/// </summary>
public sealed class TemplateModelGeneratorTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codegen-template-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Generate_GivesASharedFileOneType_AndNamesACollisionAfterItsDocument()
    {
        Write("common/codes.schema.json", """
            {
              "definitions": {
                "visit": { "type": "object", "required": ["on"], "properties": { "on": { "type": "string", "format": "date" }, "cost": { "$ref": "#/definitions/amount" } } },
                "amount": { "type": "number", "minimum": 0 }
              }
            }
            """);
        var participant = await LoadAsync("participant.schema.json", """
            {
              "$schema": "http://json-schema.org/draft-07/schema#",
              "type": "object",
              "properties": {
                "exitReason": { "$ref": "#/definitions/exitReason" },
                "firstVisit": { "$ref": "common/codes.schema.json#/definitions/visit" }
              },
              "definitions": { "exitReason": { "type": "string", "enum": ["moved-away", "other"] } }
            }
            """);
        var measurement = await LoadAsync("measurement.schema.json", """
            {
              "type": "object",
              "required": ["visits"],
              "properties": {
                "exitReason": { "$ref": "#/definitions/exitReason" },
                "visits": { "type": "array", "items": { "$ref": "common/codes.schema.json#/definitions/visit" } },
                "count": { "type": "integer" }
              },
              "definitions": { "exitReason": { "type": "string", "enum": ["completed", "declined"] } }
            }
            """);

        var files = await TemplateModelGenerator.GenerateAsync(
            [new("Participant", participant), new("Measurement", measurement)], new ModelOptions("Case.Models", true), filePerDocument: true, "unused.cs");

        Assert.Equal(["Participant.cs", "Measurement.cs"], files.Select(f => f.FileName));
        Assert.Contains("public partial class Visit", files[0].Code, StringComparison.Ordinal);
        Assert.DoesNotContain("class Visit", files[1].Code, StringComparison.Ordinal);
        using var models = GeneratedModels.Compile(files.Select(f => f.Code).ToList(), nullable: true);
        Assert.Equal(
            ["ExitReason", "Measurement", "MeasurementExitReason", "Participant", "Visit"],
            models.Types.Select(t => t.Name).Order(StringComparer.Ordinal));
        var visit = models.Type("Case.Models.Visit");
        Assert.Equal(visit, models.Type("Case.Models.Participant").GetProperty("FirstVisit")!.PropertyType);
        Assert.Equal(typeof(decimal?), visit.GetProperty("Cost")!.PropertyType);
        Assert.Equal(typeof(long?), models.Type("Case.Models.Measurement").GetProperty("Count")!.PropertyType);

        const string document = """{"exitReason":"declined","visits":[{"on":"2025-02-28","cost":1250.50},{"on":"2025-03-01"}],"count":3}""";
        using var before = JsonDocument.Parse(document);
        using var after = JsonDocument.Parse(GeneratedModels.RoundTrip(document, models.Type("Case.Models.Measurement")));
        Assert.Null(JsonSemantics.Difference(before.RootElement, after.RootElement));
    }

    [Fact]
    public async Task Generate_WritesOneFile_WhenNotAFilePerDocument()
    {
        var participant = await LoadAsync("participant.schema.json", """{ "type": "object", "properties": { "name": { "type": "string" } } }""");

        var files = await TemplateModelGenerator.GenerateAsync([new("Participant", participant)], new ModelOptions("Case.Models", false), filePerDocument: false, "Models.cs");

        var file = Assert.Single(files);
        Assert.Equal("Models.cs", file.FileName);
        Assert.DoesNotContain("#nullable enable", file.Code, StringComparison.Ordinal);
        using var models = GeneratedModels.Compile([file.Code], nullable: false);
        Assert.Equal(typeof(string), models.Type("Case.Models.Participant").GetProperty("Name")!.PropertyType);
    }

    [Theory]
    [InlineData("contract", "ContractParameters")]
    [InlineData("participant", "Participant")]
    [InlineData("cohortMember", "CohortMember")]
    [InlineData("follow-up", "FollowUp")]
    public void TypeName_FollowsTheSchemaKey(string key, string expected) =>
        Assert.Equal(expected, TemplateModelGenerator.TypeName(key));

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(_folder.FullName, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private async Task<GuardedSchema> LoadAsync(string relativePath, string text)
    {
        Write(relativePath, text);
        var result = await new SchemaGuard().LoadAsync(_folder.FullName, Path.Combine(_folder.FullName, relativePath));
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return result.Schema!;
    }
}
