using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Rules.Tests.Evaluation;

public class ExpressionEvaluationTests
{
    [Theory]
    [InlineData("7 / 2", 3L)]
    [InlineData("-7 / 2", -3L)]
    [InlineData("7 % 3", 1L)]
    [InlineData("2 + 3 * 4", 14L)]
    [InlineData("(2 + 3) * 4", 20L)]
    [InlineData("Math.Abs(-4)", 4L)]
    [InlineData("Math.Max(3, 9)", 9L)]
    [InlineData("Convert.ToInt32(\"42\")", 42L)]
    [InlineData("Math.Min(3, 9)", 3L)]
    [InlineData("Math.Min(-3, 9)", -3L)]
    [InlineData("Convert.ToInt16(\"42\")", 42L)]
    [InlineData("Convert.ToInt16(true)", 1L)]
    [InlineData("Convert.ToInt64(\"-9000000000\")", -9000000000L)]
    [InlineData("Convert.ToInt64(7)", 7L)]
    // As .NET's Convert.ToInt64(decimal): to the nearest integer, halves to even.
    [InlineData("Convert.ToInt64(2.5)", 2L)]
    [InlineData("Convert.ToInt64(3.5)", 4L)]
    [InlineData("\"abc\".Length", 3L)]
    [InlineData("\"abcabc\".IndexOf(\"c\")", 2L)]
    public void Evaluate_KeepsLong_WhenAllOperandsAreIntegers(string expression, long expected)
    {
        var value = TestEngine.Value(expression);
        Assert.IsType<long>(value);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("7 / 2.0", "3.5")]
    [InlineData("1 + 0.5", "1.5")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("10 * 1.1", "11.0")]
    [InlineData("Math.Round(2.5)", "2")]
    [InlineData("Math.Round(3.14159, 2)", "3.14")]
    [InlineData("Math.Floor(2.7)", "2")]
    [InlineData("Math.Ceiling(2.1)", "3")]
    [InlineData("Math.Pow(1.1, 2)", "1.21")]
    [InlineData("Math.Max(3, 9.5)", "9.5")]
    [InlineData("Convert.ToDecimal(\"12.50\")", "12.50")]
    [InlineData("Convert.ToDouble(3)", "3")]
    [InlineData("Math.Min(3, 9.5)", "3")]
    [InlineData("Math.Min(-1.5, 2)", "-1.5")]
    [InlineData("Convert.ToSingle(\"0.25\")", "0.25")]
    [InlineData("Convert.ToSingle(3)", "3")]
    [InlineData("iif(true, 1, 2.5)", "1")]
    [InlineData("null ?? 1.5", "1.5")]
    public void Evaluate_GivesDecimal_WhenAnyOperandIsReal(string expression, string expected)
    {
        var value = TestEngine.Value(expression);
        Assert.IsType<decimal>(value);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Fact]
    public void Evaluate_PromotesIntegerField_WhenMixedWithDecimalField()
    {
        var value = TestEngine.Value("p.sessions * p.rate", """{"p": {"sessions": 4, "rate": 2000.50}}""");
        Assert.Equal(8002.00m, value);
    }

    [Theory]
    [InlineData("1 == 1.0")]
    [InlineData("2 > 1.5")]
    [InlineData("\"a\" + 1 == \"a1\"")]
    [InlineData("\"b\" > \"a\"")]
    [InlineData("\"x\" = \"x\"")]
    [InlineData("1 <> 2")]
    [InlineData("true AND NOT false")]
    [InlineData("false or true")]
    [InlineData("!(1 > 2)")]
    [InlineData("1 > 2 ? false : true")]
    [InlineData("iif(1 > 2, false, true)")]
    [InlineData("\"b\" in (\"a\", \"b\")")]
    [InlineData("!(3 in (1, 2))")]
    [InlineData("2 in (1.0, 2.0)")]
    [InlineData("\"Hello\".ToLower() == \"hello\" && \"hello\".ToUpper() == \"HELLO\"")]
    [InlineData("\"  x \".Trim() == \"x\"")]
    [InlineData("\"abcdef\".Substring(2, 3) == \"cde\" && \"abcdef\".Substring(4) == \"ef\"")]
    [InlineData("\"abc\".Contains(\"b\") && \"abc\".StartsWith(\"a\") && \"abc\".EndsWith(\"c\")")]
    [InlineData("string.IsNullOrEmpty(\"\") && string.IsNullOrWhiteSpace(\" \") && string.IsNullOrEmpty(null)")]
    [InlineData("\"say \\\"hi\\\"\".Length == 8")]
    [InlineData("Convert.ToString(12.50) == \"12.50\"")]
    [InlineData("Convert.ToBoolean(\"true\")")]
    public void Evaluate_Achieves_ForTrueExpressions(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression).Status);

    [Theory]
    [InlineData("DateTime.Parse(\"2022-03-01\") - DateTime.Parse(\"2022-01-01\")", "59")]
    [InlineData("asOf - p.enrolledOn", "151")]
    public void Evaluate_SubtractsDates_ToTimeSpanWithTotalDays(string expression, string days)
    {
        var result = TestEngine.Value($"({expression}).TotalDays", """{"asOf": "2022-06-01", "p": {"enrolledOn": "2022-01-01"}}""");
        Assert.Equal(decimal.Parse(days, System.Globalization.CultureInfo.InvariantCulture), result);
    }

    [Theory]
    [InlineData("asOf.AddDays(1) == DateTime.Parse(\"2022-06-02\")")]
    [InlineData("asOf.AddMonths(-6) == \"2021-12-01\"")]
    [InlineData("asOf.Year == 2022 && asOf.Month == 6 && asOf.Day == 1")]
    [InlineData("p.enrolledOn.AddMonths(3) <= asOf")]
    [InlineData("(asOf - p.enrolledOn).Days == 151")]
    [InlineData("p.enrolledOn < asOf")]
    [InlineData("Convert.ToDateTime(\"2022-06-01\") == asOf")]
    [InlineData("Convert.ToDateTime(\"2022-01-01\").AddMonths(5) == asOf")]
    [InlineData("Convert.ToDateTime(p.enrolledOn) == p.enrolledOn")]
    [InlineData("DateTime.Parse(p.enrolledOn) == p.enrolledOn")]
    [InlineData("DateTime.Parse(p.enrolledOn).AddMonths(5) == asOf")]
    public void Evaluate_HandlesDates(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, """{"asOf": "2022-06-01", "p": {"enrolledOn": "2022-01-01"}}""").Status);

    private const string Divisors = """{"p": {"items": [{"k": 6}, {"k": 0}]}}""";

    // As LINQ's lazy Where (and so RulesEngine): the search stops at the element that decides, so 10 % 0 in the
    // second element is never computed.
    [Theory]
    [InlineData("p.items.Where(x => 10 % x.k > 0).Any()", RuleStatus.Achieved)]
    [InlineData("p.items.Where(x => 10 % x.k > 0).Any(y => y.k == 6)", RuleStatus.Achieved)]
    [InlineData("p.items.Where(x => 10 % x.k > 0).All(y => y.k > 100)", RuleStatus.NotAchieved)]
    [InlineData("p.items.Where(x => 10 % x.k > 0).First().k == 6", RuleStatus.Achieved)]
    [InlineData("p.items.Where(x => 10 % x.k > 0).FirstOrDefault(y => y.k > 1).k == 6", RuleStatus.Achieved)]
    [InlineData("p.items.Where(x => 10 % x.k > 0).Count() == 1", RuleStatus.Error)]
    public void Evaluate_StopsAFilteredSearch_AtTheElementThatDecides(string expression, RuleStatus expected) =>
        Assert.Equal(expected, TestEngine.Evaluate(expression, Divisors).Status);

    [Fact]
    public void Evaluate_RefusesAFilteredSearch_WhoseSecondLambdaIsNotBoolean()
    {
        using var data = System.Text.Json.JsonDocument.Parse(Divisors);
        var types = new Dictionary<string, ConfigurableContracts.Rules.Types.RuleType> { ["p"] = ConfigurableContracts.Rules.Types.RuleType.InferFromData(data.RootElement.GetProperty("p")) };
        var error = Assert.Single(TestEngine.Diagnose("p.items.Where(x => x.k > 0).Any(y => y.k)", types), d => d.IsError);
        Assert.Equal(DiagnosticCodes.InvalidLambda, error.Code);
    }

    private const string Cohort = """
        {"cohort": [
          {"id": "a", "age": 15, "score": 2.5, "kind": "group", "tags": ["x"]},
          {"id": "b", "age": 17, "score": 4.0, "kind": "individual", "tags": []},
          {"id": "c", "age": 16, "score": 3.5, "kind": "group", "tags": ["x", "y"]}
        ]}
        """;

    [Theory]
    [InlineData("cohort.Any()")]
    [InlineData("cohort.Any(m => m.kind == \"group\")")]
    [InlineData("cohort.All(m => m.age >= 15)")]
    [InlineData("cohort.Count() == 3 && cohort.Count == 3")]
    [InlineData("cohort.Count(m => m.kind == \"group\") == 2")]
    [InlineData("cohort.Sum(m => m.age) == 48")]
    [InlineData("cohort.Sum(m => m.score) == 10.0")]
    [InlineData("cohort.Average(m => m.age) == 16")]
    [InlineData("cohort.Min(m => m.score) == 2.5 && cohort.Max(m => m.age) == 17")]
    [InlineData("cohort.Where(m => m.age > 15).Count() == 2")]
    [InlineData("cohort.Select(m => m.kind).Distinct().Count() == 2")]
    [InlineData("cohort.First().id == \"a\" && cohort.Last().id == \"c\"")]
    [InlineData("cohort.First(m => m.age > 15).id == \"b\"")]
    [InlineData("cohort.FirstOrDefault(m => m.age > 99) == null")]
    [InlineData("cohort.OrderBy(m => m.score).First().id == \"a\"")]
    [InlineData("cohort.OrderByDescending(m => m.age).First().id == \"b\"")]
    [InlineData("cohort.Skip(1).Take(1).First().id == \"b\"")]
    [InlineData("cohort.Select(m => m.id).Contains(\"c\")")]
    [InlineData("cohort.Any(m => m.tags.Any(t => t == \"y\"))")]
    [InlineData("cohort.Where(m => m.tags.Count() > 0).All(m => cohort.Any(o => o.id != m.id && o.age > m.age))")]
    [InlineData("cohort[1].id == \"b\"")]
    [InlineData("\"a\" in cohort.Select(m => m.id)")]
    public void Evaluate_RunsLinq_OverJsonArrays(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, Cohort).Status);

    [Theory]
    [InlineData("f6 == null")]
    [InlineData("f6.score == null")]
    [InlineData("null == f6.score")]
    [InlineData("(f6.score ?? 0) == 0")]
    [InlineData("f6 == null || f6.score > 3")]
    [InlineData("!(f6 != null && f6.score > 3)")]
    public void Evaluate_TreatsAbsentDataNormally_WhenComparedWithNullOrDefaulted(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, """{"f6": null, "b": {"score": 2}}""").Status);

    [Theory]
    [InlineData("f6.score > b.score", "'f6' is missing")]
    [InlineData("f6.score - b.score >= 1", "'f6' is missing")]
    [InlineData("b.missingField > 1", "'b.missingField' is missing")]
    [InlineData("b.score > 1 && f6.score > 1", "'f6' is missing")]
    [InlineData("f6.score == 4", "'f6' is missing")]
    [InlineData("f6.note.Contains(\"x\")", "'f6' is missing")]
    [InlineData("b.note.Contains(\"x\")", "'b.note' is missing")]
    public void Evaluate_IsNotEvaluable_WhenNeededDataIsMissing(string expression, string reason)
    {
        var result = TestEngine.Evaluate(expression, """{"f6": null, "b": {"score": 2, "note": null, "missingField": null}}""");
        Assert.Equal(RuleStatus.NotEvaluable, result.Status);
        Assert.False(result.IsSuccess);
        Assert.Equal(reason, result.Reason);
    }

    [Theory]
    [InlineData("f6.score > 1 && false", RuleStatus.NotAchieved)]
    [InlineData("false && f6.score > 1", RuleStatus.NotAchieved)]
    [InlineData("f6.score > 1 || true", RuleStatus.Achieved)]
    [InlineData("f6.score > 1 && true", RuleStatus.NotEvaluable)]
    [InlineData("f6.score > 1 || false", RuleStatus.NotEvaluable)]
    [InlineData("!(f6.score > 1)", RuleStatus.NotEvaluable)]
    public void Evaluate_UsesThreeValuedLogic_ForMissingData(string expression, RuleStatus expected) =>
        Assert.Equal(expected, TestEngine.Evaluate(expression, """{"f6": null}""").Status);

    [Theory]
    [InlineData("xs.Any(x => x.v > 1)", RuleStatus.Achieved)]
    [InlineData("xs.All(x => x.v > 1)", RuleStatus.NotAchieved)]
    [InlineData("xs.All(x => x.v > 0)", RuleStatus.NotEvaluable)]
    [InlineData("xs.Any(x => x.v > 5)", RuleStatus.NotEvaluable)]
    [InlineData("xs.Sum(x => x.v) > 0", RuleStatus.NotEvaluable)]
    [InlineData("xs.Where(x => x.v != null).Sum(x => x.v) == 3", RuleStatus.Achieved)]
    [InlineData("xs.Take(0).Average(x => x.v) > 0", RuleStatus.NotEvaluable)]
    public void Evaluate_PropagatesMissingElements_ThroughLinq(string expression, RuleStatus expected) =>
        Assert.Equal(expected, TestEngine.Evaluate(expression, """{"xs": [{"v": 1}, {"v": 2}, {"v": null}]}""").Status);

    [Theory]
    [InlineData("1 / 0 == 1", "divide by zero")]
    [InlineData("1.5 / 0 == 1", "divide by zero")]
    [InlineData("9223372036854775807 + 1 > 0", "overflow")]
    [InlineData("\"abc\".Substring(5) == \"\"", "outside")]
    [InlineData("xs.First(x => x > 10) > 0", "no element")]
    [InlineData("Convert.ToInt32(\"x1\") > 0", "format")]
    [InlineData("Convert.ToInt64(\"1.5\") > 0", "format")]
    [InlineData("Convert.ToSingle(\"many\") > 0", "format")]
    [InlineData("Convert.ToDateTime(\"June\").Year > 0", "is not a date")]
    public void Evaluate_ReportsError_WhenComputationFails(string expression, string messagePart)
    {
        var result = TestEngine.Evaluate(expression, """{"xs": [1, 2]}""");
        Assert.Equal(RuleStatus.Error, result.Status);
        Assert.Contains(messagePart, result.ExceptionMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Evaluate_ChecksTypesAtRunTime_ForUntypedInput()
    {
        var compilation = TestEngine.Compile(TestEngine.SingleRule("x.a > 1"), new Dictionary<string, Rules.Types.RuleType> { ["x"] = Rules.Types.RuleType.Any });
        var inputs = new RuleInputs().Set("x", new Dictionary<string, object?> { ["a"] = "text" });
        var result = compilation.Workflows.Evaluate("W", inputs)[0];
        Assert.Equal(RuleStatus.Error, result.Status);
        Assert.Equal("a string cannot be compared with an integer.", result.Reason);
    }

    [Fact]
    public void Evaluate_CallsCustomFunction_WithValueModelArguments()
    {
        IReadOnlyList<object?>? seen = null;
        var functions = new FakeFunctions().Add("change", 2, "number", args =>
        {
            seen = args;
            return 2L;
        });
        var result = TestEngine.Value("fn.change(b, f6)", """{"b": {"score": 3}, "f6": null}""", functions);
        Assert.Equal(2m, result);
        Assert.NotNull(seen);
        Assert.Equal(3L, ((IReadOnlyDictionary<string, object?>)seen[0]!)["score"]);
        Assert.Null(seen[1]);
    }

    [Fact]
    public void Evaluate_ReportsError_WhenCustomFunctionThrows()
    {
        var functions = new FakeFunctions().Add("boom", 0, "boolean", _ => throw new ConfigurableContracts.Rules.Functions.RuleFunctionException("script timed out"));
        var result = TestEngine.Evaluate("fn.boom()", "{}", functions);
        Assert.Equal(RuleStatus.Error, result.Status);
        Assert.Equal("script timed out", result.Reason);
    }
}
