using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private const string Template = "preventive-youth-support";
    private const string CohortRules = "rules/preventive-youth-support/cohort-target.json";
    private const string IndividualRules = "rules/preventive-youth-support/individual-outcomes.json";

    private readonly RepositoryCopy _repository = RepositoryCopy.Create();

    public void Dispose() => _repository.Dispose();

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ValidateCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Validate_ExitsZero_AndReportsNoError_OnTheShippedTemplates()
    {
        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(": error ", output, StringComparison.Ordinal);
        Assert.Matches(@"\d+ template\(s\), \d+ rule file\(s\): 0 error\(s\)", output);
    }

    [Fact]
    public void Validate_CountsOneTemplateAndItsRuleFiles_WhenRestrictedToIt()
    {
        var (exitCode, output, _) = Invoke("validate", _repository.Root, "--template", Template);

        Assert.Equal(0, exitCode);
        Assert.Contains("1 template(s), 2 rule file(s): 0 error(s), 0 warning(s).", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("schemas/preventive-youth-support")]
    [InlineData("rules/preventive-youth-support")]
    public void Validate_ChecksThatTemplateOnly_WhenGivenOneOfItsFolders(string folder)
    {
        var other = Path.Combine(_repository.Root, "schemas", "zz-broken");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "template.json"), "{ not json");
        File.WriteAllText(Path.Combine(_repository.Root, "rules", "stray.json"), "{ \"WorkflowName\": \"Stray\", \"Rules\": [,] }");

        var (exitCode, output, _) = Invoke("validate", Path.Combine(_repository.Root, folder));

        Assert.True(exitCode == 0, output);
        Assert.Contains("1 template(s), 2 rule file(s): 0 error(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FailsSayingWhatItExpected_WhenTheFolderHoldsNoTemplate()
    {
        var (exitCode, output, error) = Invoke("validate", Path.Combine(_repository.Root, "rules"), "--template", "x");
        Directory.Delete(Path.Combine(_repository.Root, "schemas"), recursive: true);
        var (emptyExit, emptyOutput, emptyError) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --template x: no such template", error, StringComparison.Ordinal);
        Assert.Equal(1, emptyExit);
        Assert.Equal($"error: {_repository.Root} holds no template: expected schemas/<id>/template.json under it, or a template's own folder.", emptyError.Trim());
        Assert.DoesNotContain("template(s)", output + emptyOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsAMisspeltEnumValueInARule_AsAnErrorWithDidYouMean()
    {
        _repository.Replace(IndividualRules, "\"Expression\": \"eligible\"", "\"Expression\": \"eligible && participant.referralSource != \\\"scool\\\"\"");
        var line = _repository.LineOf(IndividualRules, "scool");

        var (exitCode, output, _) = Invoke("validate", _repository.Root, "--template", Template);

        Assert.Equal(1, exitCode);
        Assert.Matches($@"{IndividualRules}:{line}:\d+: error CCR0218: 'scool' is not one of the values .* Did you mean 'school'\?", output);
    }

    [Fact]
    public void Validate_WarningsAsErrors_FailsOnAWarning_ThatOtherwiseOnlyPrints()
    {
        _repository.Replace(CohortRules, "\"RuleName\": \"CohortDenominator\",", "\"RuleName\": \"CohortDenominator\", \"Descripton\": \"x\",");

        var plain = Invoke("validate", _repository.Root, "--template", Template);
        var strict = Invoke("validate", _repository.Root, "--template", Template, "--warnings-as-errors");

        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("0 error(s), 1 warning(s).", plain.Output, StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("warning CCR0007", strict.Output, StringComparison.Ordinal);
        Assert.Contains("--warnings-as-errors: 1 warning(s) fail the run.", strict.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrintsPathLineColumnCodeAndMessage_AndExitsOne_WhenAFieldIsMisspelled()
    {
        _repository.Replace(CohortRules, "\"Expression\": \"denominator > 0\"", "\"Expression\": \"contract.targetShar > 0\"");
        var line = _repository.LineOf(CohortRules, "contract.targetShar > 0");

        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        var error = Assert.Single(output.Split('\n'), l => l.Contains(": error ", StringComparison.Ordinal));
        Assert.Matches($@"^{CohortRules}:{line}:\d+: error CCR0202: .*'targetShar'.*Did you mean 'targetShare'\?", error);
        Assert.Contains("1 error(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsAStrayWorkflowFile_ThatNoManifestRuns()
    {
        File.WriteAllText(Path.Combine(_repository.Root, "rules", "stray.json"), "{ \"WorkflowName\": \"Stray\", \"Rules\": [,] }");

        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains("rules/stray.json:1:", output, StringComparison.Ordinal);
        Assert.Contains("error CCR0001", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_StillFails_OnAnErrorThatEvalConfinesToOneRule()
    {
        _repository.Replace(CohortRules, "\"RuleName\": \"CohortDenominator\",", "\"RuleName\": \"CohortDenominator\", \"Enabled\": \"yes\",");
        var line = _repository.LineOf(CohortRules, "\"Enabled\": \"yes\"");

        var (exitCode, output, _) = Invoke("validate", _repository.Root);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{CohortRules}:{line}:", output, StringComparison.Ordinal);
        Assert.Contains("error CCR0006: 'Enabled' must be true or false", output, StringComparison.Ordinal);
    }
}
