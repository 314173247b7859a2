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

public class RuleRecordTests
{
    private static object? Convert(string json, Rules.Types.RuleType type) => RuleValues.FromJson(JsonDocument.Parse(json).RootElement, type);

    [Fact]
    public void FromJson_KeepsUndeclaredFields_ForFunctionsAndMessages()
    {
        var value = (IReadOnlyDictionary<string, object?>)Convert("""{"score": 1.5, "note": "extra"}""", Schemas.Parse(Schemas.Measurement))!;
        Assert.Equal(["score", "note"], value.Keys);
        Assert.Equal("extra", value["note"]);
        Assert.False(value.ContainsKey("attendance"));
        Assert.Equal(2, value.Count);
    }

    [Fact]
    public void Evaluate_ReadsTypedFields_WhenValuesWereConvertedWithAnotherInstanceOfTheSameSchema()
    {
        var compiledWith = Schemas.Parse(Schemas.Measurement);
        var convertedWith = Schemas.Parse(Schemas.Measurement);
        var compilation = TestEngine.Compile(TestEngine.SingleRule("m.score > 1 && m.attendance == null"),
            new Dictionary<string, Rules.Types.RuleType> { ["m"] = compiledWith });
        var sameShape = new Rules.Evaluation.RuleInputs().Set("m", Convert("""{"score": 1.5}""", compiledWith));
        var otherShape = new Rules.Evaluation.RuleInputs().Set("m", Convert("""{"score": 1.5}""", convertedWith));
        var plainDictionary = new Rules.Evaluation.RuleInputs().Set("m", new Dictionary<string, object?> { ["score"] = 1.5m });
        foreach (var inputs in new[] { sameShape, otherShape, plainDictionary })
            Assert.Equal(Rules.Evaluation.RuleStatus.Achieved, compilation.Workflows.Evaluate("W", inputs)[0].Status);
    }
}

public class DateParsingTests
{
    [Theory]
    [InlineData("2024-02-29", true)]
    [InlineData("2023-02-29", false)]
    [InlineData("2024-13-01", false)]
    [InlineData("2024-00-10", false)]
    [InlineData("2024-04-31", false)]
    [InlineData("0000-01-01", false)]
    [InlineData("2024-1-01", false)]
    [InlineData("2024/01/01", false)]
    [InlineData("2024-01-0a", false)]
    [InlineData("2024-01-01T00:00:00Z", false)]
    [InlineData("", false)]
    public void TryParseDate_AcceptsOnlyRealCalendarDates(string text, bool valid)
    {
        Assert.Equal(valid, RuleValues.TryParseDate(text, out var date));
        if (valid) Assert.Equal((new DateTime(2024, 2, 29), DateTimeKind.Unspecified), (date, date.Kind));
    }

    [Fact]
    public void FromJson_MatchesFieldsInAnyOrder_WithEscapedNames_AndKeepsUndeclaredOnes()
    {
        var type = Schemas.Parse(Schemas.Measurement);
        // Fields out of schema order, one name written with an escape, one undeclared, one given twice (last wins).
        var json = """{"measuredOn": "2022-02-03", "\u0073core": 3, "note": "ok", "attendance": 1, "attendance": 4}""";
        var value = (IReadOnlyDictionary<string, object?>)RuleValues.FromJson(JsonDocument.Parse(json).RootElement, type)!;
        Assert.Equal(3m, Assert.IsType<decimal>(value["score"]));
        Assert.Equal(4L, Assert.IsType<long>(value["attendance"]));
        Assert.Equal(new DateTime(2022, 2, 3), value["measuredOn"]);
        Assert.Equal("ok", value["note"]);
    }

    [Theory]
    [InlineData("\"2022-02-03\"", true)]
    [InlineData("\"2022\\u002D02-03\"", true)]   // escaped: read through the string path, still a date
    [InlineData("\"2022-02-30\"", false)]
    [InlineData("\"2022-2-03\"", false)]
    [InlineData("\"20x2-02-03\"", false)]
    public void FromJson_ParsesCalendarDates_FromRawOrEscapedText(string json, bool isDate)
    {
        var value = RuleValues.FromJson(JsonDocument.Parse(json).RootElement, RuleType.Date);
        if (isDate) Assert.Equal(new DateTime(2022, 2, 3), Assert.IsType<DateTime>(value));
        else Assert.IsType<string>(value);
    }

    /// <summary>Numbers read from their bytes must be the very value (and scale) JsonElement's parsers give.</summary>
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("7")]
    [InlineData("-42")]
    [InlineData("30000.00")]
    [InlineData("0.10")]
    [InlineData("-3.25")]
    [InlineData("123456789012345678")]
    [InlineData("1234567890123456789")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("99999999999999999999999")]
    [InlineData("0.000000000000000001")]
    [InlineData("1.0000000000000000001")]
    [InlineData("1e3")]
    [InlineData("2.5E-2")]
    public void FromJson_ReadsNumbers_AsJsonElementParsesThem(string number)
    {
        var json = JsonDocument.Parse(number).RootElement;
        var asNumber = RuleValues.FromJson(json, RuleType.Number);
        Assert.Equal(decimal.GetBits(json.GetDecimal()), decimal.GetBits(Assert.IsType<decimal>(asNumber)));
        foreach (var type in new[] { RuleType.Integer, RuleType.Any })
        {
            var value = RuleValues.FromJson(json, type);
            if (RuleValues.IsIntegerLiteral(json) && json.TryGetInt64(out var integer)) Assert.Equal(integer, Assert.IsType<long>(value));
            else Assert.Equal(decimal.GetBits(json.GetDecimal()), decimal.GetBits(Assert.IsType<decimal>(value)));
        }
    }
}
