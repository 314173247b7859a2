using System.CommandLine;
using System.Text.Json;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("eval-command-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(EvalCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private const string Workflow = """
        [
          {
            "WorkflowName": "IndividualOutcomes",
            "GlobalParams": [{ "Name": "change", "Expression": "followUp6.score - baseline.score" }],
            "Rules": [
              { "RuleName": "BrokeNegativeDevelopment", "Expression": "change >= 1.5" },
              { "RuleName": "OutcomePayment", "Expression": "change >= 1.5 && participant.exitReason == null",
                "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "contract.outcomePayment" } } } },
              { "RuleName": "Typo", "Expression": "participant.agee > 15" }
            ]
          },
          { "WorkflowName": "Other", "Rules": [{ "RuleName": "Always", "Expression": "true" }] }
        ]
        """;

    [Fact]
    public void Eval_PrintsResultsOfEveryWorkflow_AsJson()
    {
        var workflow = Write("outcomes.json", Workflow);
        var (exitCode, output, error) = Invoke("eval", workflow,
            "--input", $"contract={Write("contract.json", """{"outcomePayment": 30000}""")}",
            "--input", $"participant={Write("participant.json", """{"age": 16, "exitReason": null}""")}",
            "--input", $"baseline={Write("baseline.json", """{"score": 2}""")}",
            "--input", $"followUp6={Write("followUp6.json", """{"score": 4.0}""")}");

        Assert.Equal(0, exitCode);
        var typoError = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(workflow)}:9:\d+: error CCR0202: 'participant' has no field 'agee'", typoError);
        using var document = JsonDocument.Parse(output);
        var workflows = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(["IndividualOutcomes", "Other"], workflows.Select(w => w.GetProperty("workflow").GetString()));
        var results = workflows[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("Achieved", results[0].GetProperty("status").GetString());
        Assert.True(results[0].GetProperty("isSuccess").GetBoolean());
        Assert.Equal("", results[0].GetProperty("exceptionMessage").GetString());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("childResults").ValueKind);
        Assert.Equal(30000, results[1].GetProperty("actionOutput").GetDecimal());
    }

    [Fact]
    public void Eval_ReportsUnboundRuleInItsOwnResult_AndRunsTheOthers()
    {
        var workflow = Write("outcomes.json", Workflow);
        var (exitCode, output, _) = Invoke("eval", workflow, "--workflow", "IndividualOutcomes",
            "--input", $"participant={Write("participant.json", """{"age": 16}""")}",
            "--input", $"baseline={Write("baseline.json", """{"score": 2}""")}",
            "--input", $"followUp6={Write("followUp6.json", "null")}",
            "--input", $"contract={Write("contract.json", """{"outcomePayment": 30000}""")}");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        var workflowResult = Assert.Single(document.RootElement.EnumerateArray());
        var results = workflowResult.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("NotEvaluable", results[0].GetProperty("status").GetString());
        Assert.Equal("'followUp6' is missing", results[0].GetProperty("reason").GetString());
        var typo = results[2];
        Assert.Equal("Error", typo.GetProperty("status").GetString());
        Assert.False(typo.GetProperty("isSuccess").GetBoolean());
        Assert.Contains("error CCR0202: 'participant' has no field 'agee'. Did you mean 'age'?", typo.GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains("outcomes.json:9:", typo.GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_AndDiagnosticsOnStderr_WhenFileIsNotAWorkflow()
    {
        var workflow = Write("broken.json", "{\n  \"WorkflowName\": \"W\",\n  \"Rules\": [,]\n}");
        var (exitCode, output, error) = Invoke("eval", workflow);
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith($"{workflow}:3:", error, StringComparison.Ordinal);
        Assert.Contains("error CCR0001", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_WhenFileDoesNotExist()
    {
        var (exitCode, output, error) = Invoke("eval", Path.Combine(_directory.FullName, "missing.json"));
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("cannot read the file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_WhenWorkflowNameIsUnknown()
    {
        var (exitCode, _, error) = Invoke("eval", Write("outcomes.json", Workflow), "--workflow", "Nope");
        Assert.Equal(2, exitCode);
        Assert.Contains("no workflow named 'Nope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsWith2_WhenAnInputIsMalformed()
    {
        var (exitCode, _, error) = Invoke("eval", Write("outcomes.json", Workflow), "--input", "participant");
        Assert.Equal(2, exitCode);
        Assert.Contains("expected NAME=FILE.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_PrintsWarnings_ButStillEvaluates()
    {
        var workflow = Write("w.json", """{"WorkflowName": "W", "Rules": [{"RuleName": "R", "Expression": "true", "ErrorType": "Error"}]}""");
        var (exitCode, output, error) = Invoke("eval", workflow);
        Assert.Equal(0, exitCode);
        Assert.Contains("warning CCR0008", error, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Achieved\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_CallsCustomFunctions_FromTheFileGivenWithFunctions()
    {
        var workflow = Write("wf.json", """
            { "WorkflowName": "W", "Rules": [ { "RuleName": "HalvedOrBetter", "Expression": "fn.change(baseline.score, later.score) <= -0.5" } ] }
            """);
        var functions = Write("functions.js", """
            /** @returns {number} */
            function change(before, after) { return (after - before) / before; }
            """);
        var baseline = Write("b.json", """{ "score": 20 }""");
        var later = Write("l.json", """{ "score": 8 }""");

        var (exitCode, output, error) = Invoke("eval", workflow, "--functions", functions, "--input", $"baseline={baseline}", $"later={later}");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("Achieved", json.RootElement[0].GetProperty("results")[0].GetProperty("status").GetString());
    }

    [Fact]
    public void Eval_ExitsTwo_WhenTheFunctionsFileIsRefused()
    {
        var workflow = Write("wf.json", """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true" } ] }""");
        var functions = Write("functions.js", "async function f() { return 1; }");

        var (exitCode, _, error) = Invoke("eval", workflow, "--functions", functions);

        Assert.Equal(2, exitCode);
        Assert.Contains("error CCR0410", error, StringComparison.Ordinal);
    }

    private static List<JsonElement> Results(string output, int workflow = 0)
    {
        using var document = JsonDocument.Parse(output);
        return document.RootElement[workflow].GetProperty("results").EnumerateArray().Select(r => r.Clone()).ToList();
    }

    private static string[] ErrorLines(string error) =>
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Contains(": error ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Eval_PrintsAnUnknownInjectedWorkflow_OnStderr_AndStillRunsTheRules()
    {
        var workflow = Write("w.json", """
            {"WorkflowName": "W", "WorkflowsToInject": ["Shraed"],
             "Rules": [{"RuleName": "R", "Expression": "true"}]}
            """);

        var (exitCode, output, error) = Invoke("eval", workflow);

        Assert.Equal(0, exitCode);
        var line = Assert.Single(ErrorLines(error));
        Assert.StartsWith($"{workflow}:1:1: error CCR0011: Workflow 'W' injects unknown workflow 'Shraed'.", line, StringComparison.Ordinal);
        Assert.Equal("Achieved", Results(output)[0].GetProperty("status").GetString());
    }

    [Fact]
    public void Eval_PrintsAnInjectionCycle_OnStderr_AndStillRunsTheRules()
    {
        var workflow = Write("w.json", """
            [{"WorkflowName": "A", "WorkflowsToInject": ["B"], "Rules": [{"RuleName": "RA", "Expression": "true"}]},
             {"WorkflowName": "B", "WorkflowsToInject": ["A"], "Rules": [{"RuleName": "RB", "Expression": "true"}]}]
            """);

        var (exitCode, output, error) = Invoke("eval", workflow, "--workflow", "A");

        Assert.Equal(0, exitCode);
        Assert.Contains(ErrorLines(error), l => l.StartsWith($"{workflow}:2:2: error CCR0019: Workflow 'B' injects 'A', which injects it back.", StringComparison.Ordinal));
        Assert.Equal(["RB", "RA"], Results(output).Select(r => r.GetProperty("ruleName").GetString()));
    }

    [Fact]
    public void Eval_PrintsAGlobalParamThatDoesNotBind_OnStderr_AndFailsOnlyTheRulesThatUseIt()
    {
        var workflow = Write("w.json", """
            {"WorkflowName": "W",
             "GlobalParams": [{"Name": "change", "Expression": "later.scroe - baseline.score"}],
             "Rules": [{"RuleName": "Improved", "Expression": "change < 0"},
                       {"RuleName": "Enrolled", "Expression": "baseline.score > 0"}]}
            """);

        var (exitCode, output, error) = Invoke("eval", workflow,
            "--input", $"baseline={Write("b.json", """{"score": 20}""")}", $"later={Write("l.json", """{"score": 8}""")}");

        Assert.Equal(0, exitCode);
        var line = Assert.Single(ErrorLines(error));
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(workflow)}:2:\d+: error CCR0202: 'later' has no field 'scroe'", line);
        var results = Results(output);
        Assert.Equal("Error", results[0].GetProperty("status").GetString());
        Assert.Equal("Achieved", results[1].GetProperty("status").GetString());
    }

    [Fact]
    public void Eval_ReportsADuplicateRuleNameFromInjection_OnStderr_AndAsErrorOfTheLaterRule()
    {
        var workflow = Write("w.json", """
            [{"WorkflowName": "Shared", "Rules": [{"RuleName": "Eligible", "Expression": "true"}]},
             {"WorkflowName": "W", "WorkflowsToInject": ["Shared"],
              "Rules": [{"RuleName": "Eligible", "Expression": "false"}, {"RuleName": "Other", "Expression": "true"}]}]
            """);

        var (exitCode, output, error) = Invoke("eval", workflow, "--workflow", "W");

        Assert.Equal(0, exitCode);
        var line = Assert.Single(ErrorLines(error));
        Assert.Contains("error CCR0010: Rule name 'Eligible' occurs twice in workflow 'W'", line, StringComparison.Ordinal);
        var results = Results(output);
        Assert.Equal(["Achieved", "Error", "Achieved"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.Contains("CCR0010", results[1].GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> RuleLevelReadErrors => new()
    {
        { """{"RuleName": "Broken", "Expression": "true", "Actions": {"OnSuccess": {"Name": "SendMail", "Context": {}}}}""", "CCR0014" },
        { """{"RuleName": "Broken", "Operator": "Xor", "Rules": [{"RuleName": "Inner", "Expression": "true"}]}""", "CCR0012" },
        { """{"RuleName": "Broken", "Expression": "true", "Enabled": "yes"}""", "CCR0006" },
        { $$"""{"RuleName": "Broken", "Expression": "{{new string('1', 10_001)}} > 0"}""", "CCR0018" },
        { """{"RuleName": "Broken", "Expression": "true", "RuleExpressionType": "Lambda"}""", "CCR0013" },
        { """{"RuleName": "Broken", "Expression": "x", "LocalParams": [{"Name": "x", "Expression": "true"}, {"Name": "x", "Expression": "false"}]}""", "CCR0017" },
        { """{"RuleName": "Broken", "Expression": "true", "ErrorMessage": 42}""", "CCR0006" },
        { """{"RuleName": "Broken", "Expression": "true", "Properties": []}""", "CCR0006" },
        { """{"RuleName": "Broken", "Operator": "And"}""", "CCR0015" },
    };

    [Theory]
    [MemberData(nameof(RuleLevelReadErrors))]
    public void Eval_ReportsAnErrorInsideOneRule_AsThatRulesError_AndRunsTheOthers(string brokenRule, string code)
    {
        var workflow = Write("w.json", $$"""
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "Before", "Expression": "true"},
              {{brokenRule}},
              {"RuleName": "After", "Expression": "false"}]}
            """);

        var (exitCode, output, error) = Invoke("eval", workflow);

        Assert.Equal(0, exitCode);
        Assert.Contains(ErrorLines(error), l => l.StartsWith($"{workflow}:3:", StringComparison.Ordinal) && l.Contains($"error {code}: ", StringComparison.Ordinal));
        var results = Results(output);
        Assert.Equal(["Before", "Broken", "After"], results.Select(r => r.GetProperty("ruleName").GetString()));
        Assert.Equal(["Achieved", "Error", "NotAchieved"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.StartsWith($"{workflow}:3:", results[1].GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains($"error {code}: ", results[1].GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ReportsADuplicateRuleName_AsErrorOfTheSecondRule_AndRunsTheFirst()
    {
        var workflow = Write("w.json", """
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "Eligible", "Expression": "true"},
              {"RuleName": "Eligible", "Expression": "false"}]}
            """);

        var (exitCode, output, error) = Invoke("eval", workflow);

        Assert.Equal(0, exitCode);
        Assert.Single(ErrorLines(error), l => l.StartsWith($"{workflow}:3:", StringComparison.Ordinal) && l.Contains("error CCR0010: ", StringComparison.Ordinal));
        Assert.Equal(["Achieved", "Error"], Results(output).Select(r => r.GetProperty("status").GetString()));
    }

    [Fact]
    public void Eval_ReportsAnErrorInANestedRule_OnThatChild_AndCombinesItIntoTheParent()
    {
        var workflow = Write("w.json", """
            {"WorkflowName": "W", "Rules": [
              {"RuleName": "Parent", "Operator": "And", "Rules": [
                {"RuleName": "Good", "Expression": "true"},
                {"RuleName": "Bad", "Expression": "true", "Enabled": "no"}]}]}
            """);

        var (exitCode, output, _) = Invoke("eval", workflow);

        Assert.Equal(0, exitCode);
        var parent = Assert.Single(Results(output));
        Assert.Equal("Error", parent.GetProperty("status").GetString());
        var children = parent.GetProperty("childResults").EnumerateArray().ToList();
        Assert.Equal(["Achieved", "Error"], children.Select(c => c.GetProperty("status").GetString()));
        Assert.Contains("error CCR0006: 'Enabled' must be true or false", children[1].GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsTwo_WhenARuleHasNoName_BecauseNoResultCouldCarryTheError()
    {
        var workflow = Write("w.json", """{"WorkflowName": "W", "Rules": [{"Expression": "true"}, {"RuleName": "R", "Expression": "true"}]}""");

        var (exitCode, output, error) = Invoke("eval", workflow);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("error CCR0005: A rule needs a 'RuleName'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ExitsOne_AndRunsNothing_WhenTheCommandLineIsWrong()
    {
        var (missingFile, output, _) = Invoke("eval");
        var (unknownOption, _, _) = Invoke("eval", Write("w.json", """{"WorkflowName": "W", "Rules": []}"""), "--bogus");

        Assert.Equal(1, missingFile);
        Assert.Equal(1, unknownOption);
        Assert.DoesNotContain("\"workflow\":", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_PrintsEachDiagnosticOnOneLine_WhenANameInItHoldsLineBreaks()
    {
        // The suggestion quotes the input's field name, which holds a newline.
        var workflow = Write("outcomes.json", """[{ "WorkflowName": "W", "Rules": [{ "RuleName": "Typo", "Expression": "participant.agee > 15" }] }]""");
        var participant = Write("participant.json", "{\"ag\\ne\": 16}");

        var (exitCode, output, error) = Invoke("eval", workflow, "--input", $"participant={participant}");

        Assert.Equal(0, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(@"error CCR0202: 'participant' has no field 'agee'. Did you mean 'ag\ne'?", line.TrimEnd('\r'), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(output);
        Assert.Contains("'ag\ne'", document.RootElement[0].GetProperty("results")[0].GetProperty("exceptionMessage").GetString(), StringComparison.Ordinal);
    }
}
