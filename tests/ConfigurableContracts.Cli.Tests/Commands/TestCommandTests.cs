using System.CommandLine;
using System.Text.RegularExpressions;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

/// <summary>
/// <c>contracts test</c> on a copy of the repository. Assertions are about the preventive-youth-support template only,
/// so a fork that adds templates does not break them.
/// </summary>
public sealed class TestCommandTests : IDisposable
{
    private const string Template = "preventive-youth-support";
    private const string CohortTests = "rules/preventive-youth-support/tests/cohort-target.tests.json";
    private const string ExtraTests = "rules/preventive-youth-support/tests/extra.tests.json";

    private readonly RepositoryCopy _repository = RepositoryCopy.Create();

    public void Dispose() => _repository.Dispose();

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(TestCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] Lines(string output) => output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private static string[] CaseLines(string output) =>
        Lines(output).Where(l => l.StartsWith($"{Template}: PASS ", StringComparison.Ordinal) || l.StartsWith($"{Template}: FAIL ", StringComparison.Ordinal)).ToArray();

    /// <summary>Adds a test file holding one IndividualOutcomes case with the given participant and extra inputs.</summary>
    private void AddCase(string participant, string extraInputs = "", string expect = "\"Eligible\": \"Achieved\"") =>
        File.WriteAllText(Path.Combine(_repository.Root, ExtraTests), $$"""
            {
              "cases": [
                {
                  "name": "an added case",
                  "workflow": "IndividualOutcomes",
                  "inputs": {
                    "contract": "@../../../schemas/preventive-youth-support/examples/contract.json",
                    "participant": {{participant}},
                    "asOf": "2022-05-01"{{extraInputs}}
                  },
                  "expect": { {{expect}} }
                }
              ]
            }
            """);

    private const string GoodParticipant = """{ "pseudonym": "T-0001", "providerId": "forening-exempel-1", "enrolmentDate": "2021-10-04", "schoolYear": 7, "referralSource": "school", "riskAreas": ["crime"] }""";

    [Fact]
    public void Test_PrintsAPassLinePerCase_AndExitsZero_WhenEveryCasePasses()
    {
        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(0, exitCode);
        var lines = CaseLines(output);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith($"{Template}: PASS ", l, StringComparison.Ordinal));
        Assert.Matches(@"\n\d+ passed, 0 failed", output);
    }

    [Fact]
    public void Test_PrintsAFailLine_AndExitsOne_WhenOneCaseFails()
    {
        _repository.Replace(CohortTests, "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 2 }", "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 7 }");

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        var lines = CaseLines(output);
        var failed = Assert.Single(lines, l => l.Contains(" FAIL ", StringComparison.Ordinal));
        Assert.StartsWith($"{Template}: FAIL an excluded exit is left out of the numerator too", failed, StringComparison.Ordinal);
        Assert.Contains("CohortDenominator: expected output 7, actual 2.", output, StringComparison.Ordinal);
        Assert.Matches(@"\n\d+ passed, 1 failed", output);
    }

    [Fact]
    public void Test_PrintsADiffOfTheExpectedAndTheActualResults_BelowTheReasons_WhenACaseFails()
    {
        _repository.Replace(CohortTests, "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 2 }", "\"CohortDenominator\": { \"status\": \"Achieved\", \"output\": 7 }");

        var (_, output, _) = Invoke("test", _repository.Root);

        var lines = Lines(output);
        var reason = Array.IndexOf(lines, "  CohortDenominator: expected output 7, actual 2.");
        Assert.True(reason > 0, output);
        Assert.Equal(
            [
                "  --- expected (as the case states it)",
                "  +++ actual",
                "   {",
                "  -  \"CohortDenominator\": {\"status\": \"Achieved\", \"output\": 7},",
                "  +  \"CohortDenominator\": {\"status\": \"Achieved\", \"output\": 2},",
                "     \"CohortTargetReached\": {\"status\": \"Achieved\", \"output\": 0.5}",
                "   }",
            ],
            lines[(reason + 1)..(reason + 8)]);
        Assert.DoesNotContain("\"ruleName\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_FailsAtTheCase_WhenACaseExpectsNothing()
    {
        AddCase(GoodParticipant, expect: "");
        var line = _repository.LineOf(ExtraTests, "\"expect\"");

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{ExtraTests}:{line}:17: error CCR0305: Case 'an added case' expects nothing, so it can never fail", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PASS an added case", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"agee\": 12", "\"agee\"", "$.agee is not an allowed property here")]
    [InlineData("\"schoolYear\": \"7\"", "\"7\"", "$.schoolYear expected integer but found string")]
    [InlineData("\"referralSource\": \"scool\"", "\"scool\"", "Did you mean 'school'?")]
    public void Test_ReportsAParticipantItsSchemaRefuses_AtTheOffendingText(string field, string offending, string message)
    {
        var name = field.Split(':')[0];
        var participant = Regex.Replace(GoodParticipant, Regex.Escape(name) + @": (""[^""]*""|\d+)", field);
        AddCase(participant == GoodParticipant ? GoodParticipant.Replace("{ ", "{ " + field + ", ", StringComparison.Ordinal) : participant);
        var line = _repository.LineOf(ExtraTests, "\"participant\"");
        var column = File.ReadAllLines(Path.Combine(_repository.Root, ExtraTests))[line - 1].IndexOf(offending, StringComparison.Ordinal) + 1;

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        var error = Assert.Single(Lines(output), l => l.Contains("CCR0306", StringComparison.Ordinal));
        Assert.StartsWith($"{ExtraTests}:{line}:{column}: error CCR0306: Input 'participant' does not fit the 'participant' schema: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("an added case", string.Join('\n', CaseLines(output)), StringComparison.Ordinal);
    }

    [Fact]
    public void Test_ReportsAnAsOfThatIsNotAnIsoDate()
    {
        AddCase(GoodParticipant);
        _repository.Replace(ExtraTests, "\"asOf\": \"2022-05-01\"", "\"asOf\": \"2022-5-1\"");
        var line = _repository.LineOf(ExtraTests, "\"asOf\"");

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{ExtraTests}:{line}:17: error CCR0306: Input 'asOf' must be an ISO date (yyyy-MM-dd), not \"2022-5-1\".", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_ReportsAnInputTheWorkflowDoesNotDeclare_WithDidYouMean()
    {
        AddCase(GoodParticipant, ",\n        \"folowUp6\": null");
        var line = _repository.LineOf(ExtraTests, "\"folowUp6\"");

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Matches($@"{Regex.Escape(ExtraTests)}:{line}:\d+: error CCR0307: 'folowUp6' is not an input of workflow 'IndividualOutcomes' \(.*\)\. Did you mean 'followUp6'\?", output);
    }

    [Fact]
    public void Test_PointsIntoTheReferencedFile_WhenAnAtInputIsInvalid()
    {
        const string Contract = "schemas/preventive-youth-support/examples/contract.json";
        _repository.Replace(Contract, "\"targetShare\": 0.5", "\"targetShare\": \"half\"");
        var line = _repository.LineOf(Contract, "\"targetShare\"");

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{Contract}:{line}:18: error CCR0306: Input 'contract' does not fit the 'contract' schema: $.targetShare", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_Fails_WhenATemplateShipsNoRuleTests()
    {
        Directory.Delete(Path.Combine(_repository.Root, "rules", Template, "tests"), recursive: true);

        var (exitCode, output, _) = Invoke("test", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Matches($@"schemas/{Template}/template\.json:\d+:\d+: error CCT0130: The rule tests folder .tests. does not exist", output);
    }

    [Fact]
    public void Test_PrintsACoverageTable_AfterTheCases_CountedFromTheActualResults()
    {
        var (_, output, _) = Invoke("test", _repository.Root);

        var lines = Lines(output);
        var header = Array.IndexOf(lines, $"{Template}: coverage, cases per status from the actual results (* = checked by --require-coverage):");
        Assert.True(header > Array.FindLastIndex(lines, l => l.StartsWith($"{Template}: PASS ", StringComparison.Ordinal)), output);
        Assert.Matches(@"^  IndividualOutcomes +Achieved +NotAchieved +NotEvaluable +Error$", lines[header + 1]);
        // Rules no case names are counted too: no shipped case states AttendanceUp's parent alone as NotEvaluable.
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^      BrokeNegativeDevelopment/BehaviourOrAttendanceImproved/AttendanceUp +[1-9]\d* +[1-9]\d* +[1-9]\d* +0$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^    \* OutcomePayment +[1-9]\d* +[1-9]\d* +\d+ +\d+$"));
    }

    [Fact]
    public void Test_RequireCoverage_Passes_OnTheShippedTemplate()
    {
        var (exitCode, output, _) = Invoke("test", _repository.Root, "--template", Template, "--require-coverage");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("CCR0309", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_RequireCoverage_FailsNamingTheRule_WhenNoCaseReachesItsNotAchieved()
    {
        File.WriteAllText(Path.Combine(_repository.Root, CohortTests), """
            {"cases": [{"name": "all achieved", "workflow": "CohortTarget",
              "inputs": {"contract": "@../../../schemas/preventive-youth-support/examples/contract.json",
                         "cohort": [{"pseudonym": "C-0001", "providerId": "forening-exempel-1", "brokeNegativeDevelopment": "Achieved"}],
                         "asOf": "2023-01-15"},
              "expect": {"CohortTargetReached": "Achieved"}}]}
            """);
        var line = _repository.LineOf($"schemas/{Template}/template.json", "\"rule\": \"CohortTargetReached\"");

        var without = Invoke("test", _repository.Root, "--template", Template);
        var (exitCode, output, _) = Invoke("test", _repository.Root, "--template", Template, "--require-coverage");

        Assert.Equal(0, without.ExitCode);
        Assert.Equal(1, exitCode);
        Assert.Contains($"schemas/{Template}/template.json:{line}:", output, StringComparison.Ordinal);
        Assert.Contains("error CCR0309: No case brings the cohort-target rule CohortTargetReached (CohortTarget) to NotAchieved", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_WarningsAsErrors_FailsOnAWarning_ThatOtherwiseOnlyPrints()
    {
        _repository.Replace("rules/preventive-youth-support/cohort-target.json", "\"RuleName\": \"CohortDenominator\",", "\"RuleName\": \"CohortDenominator\", \"Descripton\": \"x\",");

        var plain = Invoke("test", _repository.Root, "--template", Template);
        var strict = Invoke("test", _repository.Root, "--template", Template, "--warnings-as-errors");

        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("warning CCR0007", plain.Output, StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
        Assert.Matches(@"\n\d+ passed, 1 failed", strict.Output);
    }

    [Theory]
    [InlineData("schemas/preventive-youth-support")]
    [InlineData("rules/preventive-youth-support")]
    [InlineData("rules/preventive-youth-support/tests")]
    public void Test_RunsThatTemplateOnly_WhenGivenOneOfItsFolders(string folder)
    {
        var other = Path.Combine(_repository.Root, "schemas", "zz-broken");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "template.json"), "{ not json");

        var (exitCode, output, _) = Invoke("test", Path.Combine(_repository.Root, folder));

        Assert.True(exitCode == 0, output);
        Assert.NotEmpty(CaseLines(output));
        Assert.DoesNotContain("zz-broken", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_FailsSayingWhatItExpected_WhenTheFolderHoldsNoTemplate()
    {
        var empty = Directory.CreateTempSubdirectory("no-template-");
        try
        {
            var (exitCode, output, error) = Invoke("test", empty.FullName);

            Assert.Equal(1, exitCode);
            Assert.Equal($"error: {empty.FullName} holds no template: expected schemas/<id>/template.json under it, or a template's own folder.", error.Trim());
            Assert.DoesNotContain("passed", output, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void Test_FailsWithDidYouMean_WhenTheTemplateOptionNamesNoTemplate()
    {
        var (exitCode, _, error) = Invoke("test", _repository.Root, "--template", "preventive-youth-suport");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --template preventive-youth-suport: no such template", error, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'preventive-youth-support'?", error, StringComparison.Ordinal);
    }
}
