using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

/// <summary>
/// <c>contracts conformance</c> on a copy of the repository: the preventive-youth-support template's test cases run on
/// Microsoft RulesEngine 6.0.1 too. The assertions name rules whose RulesEngine answer is known from the library's
/// behaviour, so they fail if the check stops running RulesEngine or stops comparing.
/// </summary>
public sealed class ConformanceCommandTests : IDisposable
{
    private const string Template = "preventive-youth-support";
    private const string Rules = "rules/preventive-youth-support/individual-outcomes.json";

    private readonly RepositoryCopy _repository = RepositoryCopy.Create();

    public void Dispose() => _repository.Dispose();

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ConformanceCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string Line(string output, string rulePath) =>
        Assert.Single(output.Split('\n'), l => l.Contains($": IndividualOutcomes/{rulePath}: ", StringComparison.Ordinal));

    [Fact]
    public void Conformance_ReportsPortableRule_WhenRulesEngineAgreesInEveryCase()
    {
        var (exitCode, output, _) = Invoke("conformance", _repository.Root, "--template", Template);

        Assert.Equal(0, exitCode);
        Assert.StartsWith($"{Rules}:12:5: info CCP0001: IndividualOutcomes/Eligible: portable: RulesEngine agrees in all ", Line(output, "Eligible"), StringComparison.Ordinal);
    }

    [Fact]
    public void Conformance_ReportsRuleNotRunnable_WhenItCallsATemplateFunction()
    {
        var (_, output, _) = Invoke("conformance", _repository.Root, "--template", Template);

        var line = Line(output, "OutcomePayment");
        Assert.Contains("warning CCP0004", line, StringComparison.Ordinal);
        Assert.Contains("fn.relativeChange", line, StringComparison.Ordinal);
        Assert.Contains("Unknown identifier 'fn'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Conformance_ReportsDifference_WhenDoubleArithmeticMissesAThreshold()
    {
        // 0.8 - 0.7 >= 0.1 holds in decimal (ours) and not in double (RulesEngine's JSON numbers): the case at the
        // exact 10-point attendance threshold is decided differently.
        var (_, output, _) = Invoke("conformance", _repository.Root, "--template", Template);

        var line = Line(output, "BrokeNegativeDevelopment/BehaviourOrAttendanceImproved/AttendanceUp");
        Assert.Contains("warning CCP0003", line, StringComparison.Ordinal);
        Assert.Contains("ours Achieved, RulesEngine isSuccess false", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Conformance_ReportsMissingDataSeparately_WhenOnlyNotEvaluableCasesDiffer()
    {
        var (_, output, _) = Invoke("conformance", _repository.Root, "--template", Template);

        var line = Line(output, "EngagedBy3Months");
        Assert.Contains("warning CCP0002", line, StringComparison.Ordinal);
        Assert.Contains("ours NotEvaluable ('followUp3' is missing)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Conformance_ExitsOne_WithStrict_WhenAnyRuleIsNotPortable()
    {
        var (exitCode, output, _) = Invoke("conformance", _repository.Root, "--template", Template, "--strict");

        Assert.Equal(1, exitCode);
        Assert.Matches(@"\d+ portable, \d+ differ only on missing data, \d+ differ, \d+ not runnable on RulesEngine, 0 not reached by any case", output);
    }

    [Fact]
    public void Conformance_KeepsOneLinePerRule_WhenACaseNameHoldsANewline()
    {
        var tests = Path.Combine(_repository.Root, "rules/preventive-youth-support/tests/individual-outcomes.tests.json");
        File.WriteAllText(tests, File.ReadAllText(tests).Replace(
            "\"name\": \"without a three-month follow-up", "\"name\": \"line one\\nline two: without a three-month follow-up", StringComparison.Ordinal));

        var (_, output, _) = Invoke("conformance", _repository.Root, "--template", Template);

        Assert.Contains("case \"line one\\nline two: without a three-month follow-up", Line(output, "EngagedBy3Months"), StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), l => l.StartsWith("line two", StringComparison.Ordinal));
    }

    [Fact]
    public void Conformance_ExitsOne_WhenTheTemplateDoesNotLoad()
    {
        File.WriteAllText(Path.Combine(_repository.Root, Rules), "{ not json");

        var (exitCode, output, _) = Invoke("conformance", _repository.Root, "--template", Template);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{Rules}:1:3: error", output, StringComparison.Ordinal);
    }
}
