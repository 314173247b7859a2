using System.Text.Json;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Tests.Types;

public class RuleTypeTests
{
    private static RuleType Infer(string json) => RuleType.InferFromData(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void FromJsonSchema_ReadsPropertiesFormatsRefsAndNullableTypes()
    {
        var participant = Schemas.Parse(Schemas.Participant);
        Assert.Equal(RuleTypeKind.Object, participant.Kind);
        Assert.Equal(RuleTypeKind.Integer, participant.Properties!["age"].Kind);
        Assert.Equal(RuleType.Date, participant.Properties["enrolledOn"]);
        Assert.Equal(["moved", "declined", "completed"], participant.Properties["exitReason"].EnumValues!);
        var session = participant.Properties["sessions"].ElementType!;
        Assert.Equal(RuleTypeKind.Integer, session.Properties!["minutes"].Kind);
        Assert.Equal(RuleTypeKind.String, participant.Properties["tags"].ElementType!.Kind);
    }

    [Theory]
    [InlineData("""{"type": "number"}""", RuleTypeKind.Number)]
    [InlineData("""{"type": "integer"}""", RuleTypeKind.Integer)]
    [InlineData("""{"type": ["integer", "null"]}""", RuleTypeKind.Integer)]
    [InlineData("""{"type": "string", "format": "date-time"}""", RuleTypeKind.Date)]
    [InlineData("""{"oneOf": [{"type": "string"}, {"type": "integer"}]}""", RuleTypeKind.Any)]
    [InlineData("""{"$ref": "#/definitions/nowhere"}""", RuleTypeKind.Any)]
    [InlineData("""{"type": "object"}""", RuleTypeKind.Object)]
    public void FromJsonSchema_MapsSchemaTypes(string schema, RuleTypeKind expected) =>
        Assert.Equal(expected, Schemas.Parse(schema).Kind);

    [Fact]
    public void FromJsonSchema_SurvivesSelfReference()
    {
        var type = Schemas.Parse("""{"definitions": {"n": {"type": "object", "properties": {"next": {"$ref": "#/definitions/n"}}}}, "$ref": "#/definitions/n"}""");
        Assert.Equal(RuleTypeKind.Object, type.Kind);
    }

    [Fact]
    public void InferFromData_KeepsArrayElementTypes_MergingObjectFields()
    {
        var cohort = Infer("""[{"id": "a", "score": 1}, {"id": "b", "score": 2.5, "exit": "moved"}]""");
        Assert.Equal(RuleTypeKind.Array, cohort.Kind);
        var member = cohort.ElementType!;
        Assert.Equal(RuleTypeKind.Number, member.Properties!["score"].Kind);
        Assert.Equal(RuleTypeKind.String, member.Properties["exit"].Kind);
    }

    [Theory]
    [InlineData("3", RuleTypeKind.Integer)]
    [InlineData("3.0", RuleTypeKind.Number)]
    [InlineData("3e2", RuleTypeKind.Number)]
    [InlineData("\"2022-06-01\"", RuleTypeKind.Date)]
    [InlineData("\"2022-06-01T10:00:00Z\"", RuleTypeKind.Date)]
    [InlineData("\"2022\"", RuleTypeKind.String)]
    [InlineData("true", RuleTypeKind.Boolean)]
    [InlineData("null", RuleTypeKind.Null)]
    public void InferFromData_ReadsScalarKinds(string json, RuleTypeKind expected) => Assert.Equal(expected, Infer(json).Kind);

    [Fact]
    public void FromJson_ConvertsBySchema_NumbersToDecimalAndDatesToDateTime()
    {
        var type = Schemas.Parse(Schemas.Measurement);
        var value = (IReadOnlyDictionary<string, object?>)RuleValues.FromJson(JsonDocument.Parse("""{"score": 3, "attendance": 4, "measuredOn": "2022-02-03"}""").RootElement, type)!;
        Assert.Equal(3m, Assert.IsType<decimal>(value["score"]));
        Assert.Equal(4L, Assert.IsType<long>(value["attendance"]));
        var date = Assert.IsType<DateTime>(value["measuredOn"]);
        Assert.Equal((new DateTime(2022, 2, 3), DateTimeKind.Unspecified), (date, date.Kind));
    }

    [Fact]
    public void FromJson_ConvertsDateTimes_ToUtc()
    {
        var value = RuleValues.FromJson(JsonDocument.Parse("\"2022-02-03T10:00:00+01:00\"").RootElement, RuleType.DateTime);
        var instant = Assert.IsType<DateTime>(value);
        Assert.Equal((new DateTime(2022, 2, 3, 9, 0, 0), DateTimeKind.Utc), (instant, instant.Kind));
    }
}
