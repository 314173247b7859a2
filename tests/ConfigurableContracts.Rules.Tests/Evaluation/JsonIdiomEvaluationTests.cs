using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Rules.Tests.Evaluation;

/// <summary>
/// Idioms that Microsoft RulesEngine users write against raw JSON input, each found to be refused or answered
/// differently here by the conformance tests against the real library; the fixed answer is pinned here.
/// </summary>
public class JsonIdiomEvaluationTests
{
    private const string Member = """{"m": {"joinedOn": "2020-03-01", "lastVisit": "2021-02-15", "note": "2020-03-01"}}""";

    [Theory]
    [InlineData("DateTime.Parse(m.joinedOn) > DateTime.Parse(\"2020-01-01\")")]
    [InlineData("DateTime.Parse(m.joinedOn).AddMonths(3) <= DateTime.Parse(m.lastVisit)")]
    [InlineData("(DateTime.Parse(m.lastVisit) - DateTime.Parse(m.joinedOn)).Days == 351")]
    [InlineData("DateTime.Parse(m.joinedOn).Year == 2020")]
    [InlineData("DateTime.Parse(m.lastVisit).Subtract(DateTime.Parse(m.joinedOn)).Days == 351")]
    [InlineData("m.lastVisit.Subtract(\"2021-02-14\").TotalDays == 1")]
    public void DateTimeParse_AcceptsDataAlreadyReadAsDate(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, Member).Status);

    private const string Orders = """{"o": {"total": 5, "visits": 10, "name": "Alva Berg", "items": [{"qty": 2}, {"qty": 1}, {"qty": 5}], "gone": null}}""";

    [Theory]
    [InlineData("o.total / 2", "2.5")]
    [InlineData("o.total / o.visits", "0.5")]
    [InlineData("o.items.Sum(i => i.qty) / 4", "2")]
    [InlineData("o.total / 2 * 2", "5")]
    public void Division_IsExact_WhenAnIntegerComesFromTheData(string expression, string expected)
    {
        var value = TestEngine.Value(expression, Orders);
        Assert.IsType<decimal>(value);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("7 / 2", 3L)]
    [InlineData("o.name.Length / 2", 4L)]
    [InlineData("o.items.Count() / 2", 1L)]
    [InlineData("Convert.ToInt32(\"42\") / 5", 8L)]
    public void Division_Truncates_WhenBothIntegersAreDotNetInts(string expression, long expected) =>
        Assert.Equal(expected, TestEngine.Value(expression, Orders));

    [Fact]
    public void Division_IsNotEvaluable_WhenTheDataIsNull() =>
        Assert.Equal(RuleStatus.NotEvaluable, TestEngine.Evaluate("o.gone / 2 > 1", Orders).Status);

    private const string Person = """{"p": {"name": "Alva Berg", "city": "  Malmo ", "csv": "a,b,c", "count": "42", "price": "19.95", "age": 2, "score": 7.5, "dob": "1990-05-17", "email": ""}}""";

    [Theory]
    [InlineData("p.name.Replace(\" \", \"\") == \"AlvaBerg\"")]
    [InlineData("p.city.TrimStart() == \"Malmo \" && p.city.TrimEnd() == \"  Malmo\"")]
    [InlineData("p.csv.Split(\",\").Length == 3")]
    [InlineData("p.csv.Split(',').Contains(\"b\") && p.name.Split(' ')[1] == \"Berg\"")]
    [InlineData("p.dob.AddYears(18) == \"2008-05-17\"")]
    [InlineData("int.Parse(p.count) == 42 && long.Parse(p.count) == 42")]
    [InlineData("decimal.Parse(p.price) == 19.95 && double.Parse(p.price) > 19")]
    [InlineData("p.age.ToString() == \"2\" && p.score.ToString() == \"7.5\" && p.name.ToString() == p.name")]
    [InlineData("p.name.Equals(\"Alva Berg\") && p.age.Equals(2) && !p.score.Equals(7)")]
    [InlineData("p.email == string.Empty && p.name != String.Empty")]
    public void StringDateAndParseIdioms_RunAsInDotNet(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, Person).Status);

    [Theory]
    [InlineData("p.ToString() == \"x\"", DiagnosticCodes.ForbiddenMember)]
    [InlineData("p.name.ToString(\"N2\") == \"x\"", DiagnosticCodes.ArgumentCount)]
    [InlineData("p.age.Equals(\"2\")", DiagnosticCodes.NotComparable)]
    [InlineData("int.TryParse(p.count) == true", DiagnosticCodes.UnknownMethod)]
    public void ValueMethods_AreRefused_WhereTheyWouldNotMeanAValue(string expression, string code)
    {
        var read = WorkflowReader.Read("test.json", TestEngine.SingleRule(expression));
        using var inputs = System.Text.Json.JsonDocument.Parse(Person);
        var type = RuleType.InferFromData(inputs.RootElement.GetProperty("p"));
        var compilation = WorkflowCompiler.Compile(read.Workflows, new Dictionary<string, RuleType> { ["p"] = type });
        Assert.Contains(compilation.Diagnostics, d => d.Code == code);
    }

    private const string Address = """{"a": {"home": {"city": "Lund"}, "work": null, "tag": "x"}}""";

    [Theory]
    [InlineData("np(a.home.city) == \"Lund\"", RuleStatus.Achieved)]
    [InlineData("np(a.work.city) == \"Lund\"", RuleStatus.NotAchieved)]
    [InlineData("np(a.work.city) == null", RuleStatus.Achieved)]
    [InlineData("np(a.work.city, \"none\") == \"none\"", RuleStatus.Achieved)]
    [InlineData("string.Concat(a.tag, \"-\", 1) == \"x-1\"", RuleStatus.Achieved)]
    [InlineData("string(a.tag) == \"x\" && int(2) == 2 && double(2) == 2.0 && decimal(1.5) == 1.5", RuleStatus.Achieved)]
    public void NullPropagationAndConcat_AnswerAsDynamicLinq(string expression, RuleStatus expected) =>
        Assert.Equal(expected, TestEngine.Evaluate(expression, Address).Status);

    [Theory]
    [InlineData("a.list.Any(y > 1)", "'y'")]
    [InlineData("it.x > 1", "there is none here")]
    [InlineData("int(a.tag) == 1", "Convert.ToInt32(x)")]
    [InlineData("int(1.5) == 1", "Convert.ToInt32(x)")]
    [InlineData("string(a.n) == \"1\"", "Convert.ToString(x)")]
    [InlineData("(int)a.n == 1", "Convert.ToInt32(x)")]
    [InlineData("a.n & 1 == 1", "&&")]
    [InlineData("@a.tag == \"x\"", "without '@'")]
    [InlineData("a.tag.CompareTo(\"y\") < 0", "compare strings with <")]
    [InlineData("string.Compare(a.tag, \"y\") < 0", "compare strings with <")]
    [InlineData("a.on.StartsWith(\"2021\")", "a.on.Year == 2021")]
    [InlineData("a.on.Length == 10", "ISO date strings are read as dates")]
    [InlineData("(a.on - a.on) > TimeSpan.FromDays(1)", ".TotalDays > 30")]
    [InlineData("DateTime.Compare(a.on, a.on) == 0", "compare dates with <")]
    public void DynamicLinqFeatures_AreRefused_WithHowToWriteThem(string expression, string hint)
    {
        var read = WorkflowReader.Read("test.json", TestEngine.SingleRule(expression));
        var type = RuleType.ObjectOf(new Dictionary<string, RuleType>
        {
            ["list"] = RuleType.ArrayOf(RuleType.ObjectOf(new Dictionary<string, RuleType> { ["x"] = RuleType.Integer })),
            ["tag"] = RuleType.String,
            ["n"] = RuleType.Integer,
            ["on"] = RuleType.Date,
        });
        var compilation = WorkflowCompiler.Compile(read.Workflows, new Dictionary<string, RuleType> { ["a"] = type });
        Assert.Contains(compilation.Diagnostics, d => d.IsError && d.Message.Contains(hint, StringComparison.Ordinal));
    }

    private const string Orders2 = """{"o": {"min": 2, "items": [{"qty": 2, "kind": "a"}, {"qty": 1, "kind": "b"}, {"qty": 5, "kind": "a"}], "tags": ["x", "y"]}}""";

    [Theory]
    [InlineData("o.items.Any(qty > 4)")]
    [InlineData("o.items.Any(it.qty > 4)")]
    [InlineData("o.items.Where(kind == \"a\").Count() == 2")]
    [InlineData("o.items.Count(qty > 1 && kind == \"a\") == 2")]
    [InlineData("o.items.Sum(qty) == 8 && o.items.Max(qty) == 5")]
    [InlineData("o.items.OrderBy(qty).First().kind == \"b\"")]
    [InlineData("o.items.All(qty >= 1) && o.tags.Any(it == \"y\")")]
    [InlineData("o.items.Count(qty >= o.min) == 2")]
    [InlineData("o.items.Any(o.items.Count(qty > 4) == 1)")]
    public void ImplicitLambda_ReadsTheElementsFields_AsDynamicLinq(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, Orders2).Status);

    [Fact]
    public void Concatenation_WithDate_GivesText_RatherThanReadingTheLiteralAsADate() =>
        Assert.Equal("Joined 2020-03-01", TestEngine.Value("\"Joined \" + m.joinedOn", Member));

    private const string Visits = """{"p": {"visits": [{"kind": "group", "notes": ["a", "b"]}, {"kind": "solo", "notes": []}, {"kind": "group", "notes": ["c"]}]}}""";

    [Theory]
    [InlineData("p.visits.SelectMany(v => v.notes).Count() == 3")]
    [InlineData("p.visits.SelectMany(v => v.notes).Last() == \"c\"")]
    [InlineData("p.visits.Where(v => v.kind == \"group\").ToList().Count == 2")]
    [InlineData("p.visits.Select(v => v.kind).ToArray().Length == 3")]
    [InlineData("p.visits.Single(v => v.kind == \"solo\").notes.Count() == 0")]
    [InlineData("p.visits.SingleOrDefault(v => v.kind == \"pair\") == null")]
    [InlineData("p.visits.LastOrDefault(v => v.kind == \"group\").notes.First() == \"c\"")]
    [InlineData("p.visits.LastOrDefault(v => v.kind == \"pair\") == null")]
    public void MoreLinq_RunsAsInDotNet(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression, Visits).Status);

    [Theory]
    [InlineData("p.visits.Single(v => v.kind == \"group\").kind == \"group\"")]
    [InlineData("p.visits.SingleOrDefault(v => v.kind == \"group\") == null")]
    [InlineData("p.visits.Single(v => v.kind == \"pair\") == null")]
    public void Single_IsError_UnlessExactlyOneMatches(string expression) =>
        Assert.Equal(RuleStatus.Error, TestEngine.Evaluate(expression, Visits).Status);

    [Theory]
    [InlineData("c.path == \"C:/dir\" && c.type == \"referral\" && c.process.Length == 3")]
    [InlineData("c.steps.Any(s => s.Type == \"visit\") && c.steps.Any(Task == \"call\")")]
    public void DataFieldsNamedLikeDotNetMembers_AreRead(string expression) =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate(expression,
            """{"c": {"path": "C:/dir", "type": "referral", "process": "abc", "steps": [{"Type": "visit", "Task": "call"}]}}""").Status);

    [Fact]
    public void ForbiddenName_OnAValueOfUnknownType_IsStillRefused()
    {
        var read = WorkflowReader.Read("test.json", TestEngine.SingleRule("u.Assembly != null"));
        var compilation = WorkflowCompiler.Compile(read.Workflows, new Dictionary<string, RuleType> { ["u"] = RuleType.Any });
        Assert.Contains(compilation.Diagnostics, d => d.Code == DiagnosticCodes.ForbiddenMember);
    }

    [Fact]
    public void HexadecimalLiterals_AreIntegers() =>
        Assert.Equal(RuleStatus.Achieved, TestEngine.Evaluate("0x1F == 31 && 0X10L == 16 && 0xff - 0x0 == 255").Status);

    [Fact]
    public void ErrorMessagePlaceholders_AreWrittenAsRulesEngineWritesThem()
    {
        var workflow = """
            {"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "false",
              "ErrorMessage": "on $(p.on), none $(p.none), tags $(p.tags), name $(p.name), whole $(p)"}]}
            """;
        using var data = System.Text.Json.JsonDocument.Parse("""{"on": true, "none": null, "tags": ["a"], "name": "Bo"}""");
        var type = RuleType.InferFromData(data.RootElement);
        var compilation = TestEngine.Compile(workflow, new Dictionary<string, RuleType> { ["p"] = type });
        var inputs = new RuleInputs();
        inputs.SetJson("p", data.RootElement, type);

        var result = compilation.Workflows.Evaluate("W", inputs)[0];

        Assert.Equal("on true, none $(p.none), tags [\n  \"a\"\n], name Bo, whole {\"on\":true,\"none\":null,\"tags\":[\"a\"],\"name\":\"Bo\"}",
            result.ExceptionMessage.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("done / all", 0L)]
    [InlineData("7 / two", 3L)]
    [InlineData("total / 2", 2.5)]
    public void Division_OfParameters_FollowsTheTypeOfTheirExpression(string expression, object expected)
    {
        var workflow = """
            {"WorkflowName": "W", "GlobalParams": [
               {"Name": "done", "Expression": "o.items.Count(i => i.qty > 1)"}, {"Name": "all", "Expression": "o.items.Count()"},
               {"Name": "two", "Expression": "2"}, {"Name": "total", "Expression": "o.total"}],
             "Rules": [{"RuleName": "R", "Expression": "true", "Actions": {"OnSuccess": {"Name": "OutputExpression", "Context": {"Expression": "EXPRESSION"}}}}]}
            """.Replace("EXPRESSION", expression, StringComparison.Ordinal);
        using var data = System.Text.Json.JsonDocument.Parse(Orders);
        var type = RuleType.InferFromData(data.RootElement.GetProperty("o"));
        var compilation = TestEngine.Compile(workflow, new Dictionary<string, RuleType> { ["o"] = type });
        var inputs = new RuleInputs();
        inputs.SetJson("o", data.RootElement.GetProperty("o"), type);

        var output = compilation.Workflows.Evaluate("W", inputs)[0].ActionOutput;

        Assert.Equal(expected is double d ? (decimal)d : expected, output);
    }
}
