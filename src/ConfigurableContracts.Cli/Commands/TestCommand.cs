using System.CommandLine;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// <c>contracts test [DIR]</c>: runs every rule test case the templates ship; a line per case, a diff of expected and
/// actual results on failure, and per template a table of the statuses each rule reached.
/// </summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var directory = TemplateSelection.DirectoryArgument();
        var template = TemplateSelection.TemplateOption();
        var warningsAsErrors = TemplateSelection.WarningsAsErrorsOption();
        var requireCoverage = new Option<bool>("--require-coverage")
        {
            Description = "Fail unless every payment rule, the cohort-target rule and its outcome rule have both an Achieved and a NotAchieved case.",
        };
        var command = new Command("test", "Run the rule test cases shipped with each template; exit 1 on any failure.")
        {
            directory, template, warningsAsErrors, requireCoverage,
        };
        command.SetAction(parseResult =>
        {
            var (selection, problem) = TemplateSelection.Resolve(parseResult.GetValue(directory)?.FullName ?? Directory.GetCurrentDirectory(), parseResult.GetValue(template));
            if (selection is null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {problem}");
                return 1;
            }

            var output = parseResult.InvocationConfiguration.Output;
            var passed = 0;
            var failed = 0;
            foreach (var report in TemplateTestRunner.RunAll(selection.Root, selection.TemplateIds))
            {
                foreach (var diagnostic in report.Diagnostics)
                {
                    output.WriteLine(diagnostic.ToString());
                    if (diagnostic.IsError || parseResult.GetValue(warningsAsErrors))
                    {
                        failed++;
                    }
                }

                foreach (var result in report.Results)
                {
                    output.WriteLine($"{report.TemplateId}: {RuleTestRunner.Format(result)}");
                    if (result.Passed)
                    {
                        passed++;
                    }
                    else
                    {
                        failed++;
                    }
                }

                if (report.Results.Count > 0)
                {
                    output.WriteLine($"{report.TemplateId}: coverage, cases per status from the actual results (* = checked by --require-coverage):");
                    foreach (var line in report.Coverage.Format(report.CoverageRequired))
                    {
                        output.WriteLine(line);
                    }
                }

                if (parseResult.GetValue(requireCoverage))
                {
                    foreach (var gap in report.CoverageGaps)
                    {
                        output.WriteLine(gap.ToString());
                        failed++;
                    }
                }
            }

            output.WriteLine($"{passed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
