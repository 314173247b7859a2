using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Rules.Tests.Testing;

public class RuleTestRunnerTests
{
    private const string Workflow = """
        {"WorkflowName": "IndividualOutcomes", "Rules": [
          {"RuleName": "BrokeNegativeDevelopment", "Expression": "followUp6.score - baseline.score >= contract.threshold"},
          {"RuleName": "ActivityPayment", "Expression": "participant.sessions.Count() >= 2",
           "Actions": {"OnSuccess": {"Name": "OutputExpression", "Context": {"Expression": "contract.activityPayment"}}}},
          {"RuleName": "Outcome", "Operator": "And", "Rules": [
             {"RuleName": "Improved", "Expression": "followUp6.score > baseline.score"},
             {"RuleName": "Active", "Expression": "participant.exitReason == null"}]}
        ]}
        """;

    private const string ContractJson = """{"activityPayment": 8000, "outcomePayment": 30000, "threshold": 1.5}""";

    private static IReadOnlyList<RuleTestCaseResult> Run(string testJson, Dictionary<string, string>? files = null)
    {
        var (file, diagnostics) = RuleTestFileReader.Read("rules/t/tests/a.tests.json", testJson,
            reference => files is not null && files.TryGetValue(reference, out var text) ? text : throw new FileNotFoundException(reference));
        Assert.Empty(diagnostics);
        var compilation = TestEngine.Compile(Workflow, Schemas.ParticipantInputs());
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return RuleTestRunner.Run(file!, compilation.Workflows, Schemas.ParticipantInputs());
    }

    [Fact]
    public void Run_Passes_WhenStatusesAndOutputsMatch_WithFileReferences()
    {
        var results = Run("""
            {"$schema": "../../../schemas/rule-tests.schema.json", "cases": [
              {"name": "reaches outcome at six months", "workflow": "IndividualOutcomes",
               "inputs": {"contract": "@../../../schemas/t/examples/contract.json",
                          "participant": {"id": "P", "enrolledOn": "2022-01-01", "sessions": [{}, {}]},
                          "baseline": {"score": 2}, "followUp6": {"score": 4}, "followUp3": null, "asOf": "2022-06-01"},
               "expect": {"BrokeNegativeDevelopment": "Achieved", "ActivityPayment": {"status": "Achieved", "output": 8000},
                          "Outcome/Improved": "Achieved", "Outcome": "Achieved"}}
            ]}
            """, new() { ["../../../schemas/t/examples/contract.json"] = ContractJson });
        var result = Assert.Single(results);
        Assert.True(result.Passed, string.Join("\n", result.Failures));
        Assert.Equal("PASS reaches outcome at six months", RuleTestRunner.Format(result));
    }

    [Fact]
    public void Run_ExpectsNotEvaluable_WhenAnInputIsOmitted()
    {
        var results = Run($$$"""
            {"cases": [{"name": "no follow-up yet", "workflow": "IndividualOutcomes",
              "inputs": {"contract": {{{ContractJson}}}, "participant": {"id": "P", "sessions": []}, "baseline": {"score": 2}},
              "expect": {"BrokeNegativeDevelopment": "NotEvaluable", "ActivityPayment": "NotAchieved"}}]}
            """);
        Assert.True(results[0].Passed, string.Join("\n", results[0].Failures));
    }

    [Fact]
    public void Run_Fails_WithExpectedAndActual_WhenStatusDiffers()
    {
        var results = Run($$$"""
            {"cases": [{"name": "wrong expectation", "workflow": "IndividualOutcomes",
              "inputs": {"contract": {{{ContractJson}}}, "participant": {"id": "P", "sessions": [{}, {}]}, "baseline": {"score": 2}},
              "expect": {"BrokeNegativeDevelopment": "Achieved", "ActivityPayment": {"status": "Achieved", "output": 9000}, "Nope": "Achieved"}}]}
            """);
        var result = Assert.Single(results);
        Assert.False(result.Passed);
        Assert.Equal(
            [
                "BrokeNegativeDevelopment: expected Achieved, actual NotEvaluable ('followUp6' is missing).",
                "ActivityPayment: expected output 9000, actual 8000.",
                "Nope: expected Achieved, but there is no such (enabled) rule.",
            ],
            result.Failures);
        var report = RuleTestRunner.Format(result);
        Assert.StartsWith("FAIL wrong expectation (rules/t/tests/a.tests.json:1:12)", report, StringComparison.Ordinal);
        Assert.Contains("+  \"BrokeNegativeDevelopment\": \"NotEvaluable\",", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_PrintsTheReasonsAndThenALineDiff_InTheShapeTheCaseStates_WhenACaseFails()
    {
        var result = Assert.Single(Run($$$"""
            {"cases": [{"name": "wrong payment", "workflow": "IndividualOutcomes",
              "inputs": {"contract": {{{ContractJson}}}, "participant": {"id": "P", "sessions": [{}, {}]}, "baseline": {"score": 2}},
              "expect": {"BrokeNegativeDevelopment": "NotEvaluable", "ActivityPayment": {"status": "Achieved", "output": 9000}, "Outcome/Improved": "NotEvaluable"}}]}
            """));

        var lines = RuleTestRunner.Format(result).Split(Environment.NewLine);

        Assert.Equal(
            [
                "FAIL wrong payment (rules/t/tests/a.tests.json:1:12)",
                "  ActivityPayment: expected output 9000, actual 8000.",
                "  --- expected (as the case states it)",
                "  +++ actual",
                "   {",
                "     \"BrokeNegativeDevelopment\": \"NotEvaluable\",",
                "  -  \"ActivityPayment\": {\"status\": \"Achieved\", \"output\": 9000},",
                "  +  \"ActivityPayment\": {\"status\": \"Achieved\", \"output\": 8000},",
                "     \"Outcome/Improved\": \"NotEvaluable\"",
                "   }",
            ],
            lines);
    }

    [Fact]
    public void Format_ShowsNoDifference_ForAnOutputThatMatchesByValue_ButIsWrittenDifferently()
    {
        var result = Assert.Single(Run($$$"""
            {"cases": [{"name": "one wrong status", "workflow": "IndividualOutcomes",
              "inputs": {"contract": {{{ContractJson}}}, "participant": {"id": "P", "sessions": [{}, {}]}, "baseline": {"score": 2}},
              "expect": {"ActivityPayment": {"status": "Achieved", "output": 8000.00}, "BrokeNegativeDevelopment": "Achieved"}}]}
            """));

        var lines = RuleTestRunner.Format(result).Split(Environment.NewLine);

        Assert.Contains("     \"ActivityPayment\": {\"status\": \"Achieved\", \"output\": 8000.00},", lines);
        Assert.Equal(["  -  \"BrokeNegativeDevelopment\": \"Achieved\"", "  +  \"BrokeNegativeDevelopment\": \"NotEvaluable\""], lines.Where(l => l.StartsWith("  -  ", StringComparison.Ordinal) || l.StartsWith("  +  ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Run_Fails_WhenWorkflowIsUnknown()
    {
        var result = Assert.Single(Run("""{"cases": [{"name": "x", "workflow": "Missing", "expect": {"R": "Achieved"}}]}"""));
        Assert.False(result.Passed);
        Assert.Contains("no workflow named 'Missing'", Assert.Single(result.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"tests": []}""", DiagnosticCodes.InvalidTestFile)]
    [InlineData("""{"cases": [{"workflow": "W"}]}""", DiagnosticCodes.InvalidTestFile)]
    [InlineData("""{"cases": [{"name": "n", "workflow": "W", "inputs": {"a": "@missing.json"}}]}""", DiagnosticCodes.TestInputNotFound)]
    [InlineData("""{"cases": [{"name": "n", "workflow": "W", "expect": {"R": "Passed"}}]}""", DiagnosticCodes.InvalidExpectation)]
    [InlineData("""{"cases": [""", DiagnosticCodes.InvalidTestFile)]
    public void Read_ReportsMalformedTestFiles(string json, string code)
    {
        var (_, diagnostics) = RuleTestFileReader.Read("a.tests.json", json, reference => throw new FileNotFoundException(reference));
        Assert.Contains(diagnostics, d => d.Code == code);
    }

    [Fact]
    public void Read_ReportsCutOffTestFile_AsUnexpectedEndOfFile_InPlainWords()
    {
        var (_, diagnostics) = RuleTestFileReader.Read("rules/x/a.tests.json", "{\"cases\": [\n  {\"name\": \"ö\"", reference => throw new FileNotFoundException(reference));

        Assert.Equal("rules/x/a.tests.json:2:15: error CCR0301: Unexpected end of file: 2 objects and 1 array are still open.",
            Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void Read_LocatesABrokenInputFile_InThatFile()
    {
        var (_, diagnostics) = RuleTestFileReader.Read("rules/x/a.tests.json",
            """{"cases": [{"name": "n", "workflow": "W", "inputs": {"contract": "@inputs/contract.json"}, "expect": {"R": "Achieved"}}]}""",
            _ => "{\n  \"id\": x\n}");

        var error = Assert.Single(diagnostics);
        Assert.Equal(new SourceLocation("rules/x/inputs/contract.json", 2, 9), error.Location);
        Assert.Equal("Input 'contract' refers to 'inputs/contract.json', which is not readable JSON. Not valid JSON: 'x' is an invalid start of a value.",
            error.Message);
    }

    [Fact]
    public void ReadFile_ResolvesReferences_RelativeToTheTestFile()
    {
        var root = Directory.CreateTempSubdirectory("rule-tests-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "tests"));
            File.WriteAllText(Path.Combine(root.FullName, "contract.json"), ContractJson);
            var testPath = Path.Combine(root.FullName, "tests", "a.tests.json");
            File.WriteAllText(testPath, """{"cases": [{"name": "n", "workflow": "W", "inputs": {"contract": "@../contract.json"}, "expect": {"R": "Achieved"}}]}""");
            var (file, diagnostics) = RuleTestFileReader.ReadFile(testPath);
            Assert.Empty(diagnostics);
            Assert.Equal(8000, file!.Cases[0].Inputs["contract"].GetProperty("activityPayment").GetInt32());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("""{"cases": [{"name": "n", "workflow": "W", "inputs": {}}]}""", 1, 12)]
    [InlineData("""{"cases": [{"name": "n", "workflow": "W", "inputs": {}, "expect": {}}]}""", 1, 67)]
    public void Read_ReportsACaseThatExpectsNothing_AndDoesNotRunIt(string json, int line, int column)
    {
        var (file, diagnostics) = RuleTestFileReader.Read("a.tests.json", json, reference => throw new FileNotFoundException(reference));

        var error = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticCodes.MissingExpectation, error.Code);
        Assert.Equal(new SourceLocation("a.tests.json", line, column), error.Location);
        Assert.Contains("can never fail", error.Message, StringComparison.Ordinal);
        Assert.Empty(file!.Cases);
    }

    [Fact]
    public void Read_LocatesInputValues_InTheTestFile_AndInTheFileAnAtReferenceNames()
    {
        var (file, diagnostics) = RuleTestFileReader.Read("rules/t/tests/a.tests.json", """
            {"cases": [{"name": "n", "workflow": "W",
              "inputs": {"contract": "@../../../schemas/t/examples/contract.json",
                         "participant": {"id": "P",
                                         "sessions": [{"kind": "grup"}]}},
              "expect": {"R": "Achieved"}}]}
            """, reference => "{\n  \"activityPayment\": 8000,\n  \"threshold\": \"high\"\n}");
        Assert.Empty(diagnostics);
        var sources = Assert.Single(file!.Cases).InputSources;

        Assert.Equal(new SourceLocation("rules/t/tests/a.tests.json", 4, 52), sources["participant"].Value(["sessions", "0", "kind"]));
        Assert.Equal(new SourceLocation("rules/t/tests/a.tests.json", 3, 30), sources["participant"].Name(["id"]));
        Assert.Equal(new SourceLocation("rules/t/tests/a.tests.json", 3, 29), sources["participant"].Value(["missing"]));
        Assert.Equal(new SourceLocation("schemas/t/examples/contract.json", 3, 16), sources["contract"].Value(["threshold"]));
        Assert.Equal(new SourceLocation("rules/t/tests/a.tests.json", 2, 14), sources["contract"].Declared);
    }
}
