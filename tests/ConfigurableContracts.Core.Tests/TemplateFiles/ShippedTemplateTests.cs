using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Guard: every template the repository ships loads, type-checks, passes its own rule tests, and has an Achieved and a
/// NotAchieved case for each rule that decides a payment or the cohort target.
/// </summary>
public sealed class ShippedTemplateTests
{
    public static TheoryData<string> Templates()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(RepositoryLayout.Root, "schemas")).Where(d => File.Exists(Path.Combine(d, "template.json"))))
        {
            data.Add(Path.GetFileName(folder));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void ShippedTemplate_LoadsWithoutDiagnostics_AndPassesItsRuleTests(string templateId)
    {
        var report = Assert.Single(TemplateTestRunner.RunAll(RepositoryLayout.Root), r => r.TemplateId == templateId);

        Assert.Empty(report.Diagnostics);
        Assert.NotEmpty(report.Results);
        Assert.All(report.Results, result => Assert.True(result.Passed, RuleTestRunner.Format(result)));
        Assert.Empty(report.CoverageGaps);
    }
}
