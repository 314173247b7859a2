using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Core.Templates;

/// <summary>What running one template's rule tests gave: load diagnostics, and a result per test case.</summary>
public sealed record TemplateTestReport(string TemplateId, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<RuleTestCaseResult> Results)
{
    public bool Passed => !Diagnostics.Any(d => d.IsError) && Results.All(r => r.Passed);
}

/// <summary>
/// Runs the rule test cases a template ships (<c>*.tests.json</c> in its rules folder) against the template's own
/// compiled workflows and typed inputs — what <c>contracts test</c> and the repository's guard test run.
/// </summary>
public static class TemplateTestRunner
{
    public static IReadOnlyList<TemplateTestReport> RunAll(string repositoryRoot)
    {
        var loader = new TemplateLoader(repositoryRoot, new TemplateOptions());
        return loader.TemplateFolders().Select(folder => Run(loader, repositoryRoot, folder)).ToList();
    }

    private static TemplateTestReport Run(TemplateLoader loader, string root, string folder)
    {
        var loaded = loader.Load(folder);
        if (loaded.Version is not { } template)
        {
            return new TemplateTestReport(loaded.Folder, loaded.Diagnostics, []);
        }

        var diagnostics = new List<Diagnostic>(loaded.Diagnostics);
        var results = new List<RuleTestCaseResult>();
        foreach (var file in template.Files.Keys.Where(f => f.StartsWith(loader.DisplayPath(loader.RulesRoot) + "/", StringComparison.Ordinal) && f.EndsWith(".tests.json", StringComparison.Ordinal)))
        {
            var path = Path.Combine(root, file);
            var folderOfFile = Path.GetDirectoryName(path)!;

            // "@path" inputs may only name files inside the repository: a test file is code-like input too.
            var (testFile, readDiagnostics) = RuleTestFileReader.Read(file, template.Files[file], reference =>
                File.ReadAllText(TemplateLoader.ResolveInside(root, Path.GetRelativePath(root, Path.Combine(folderOfFile, reference)))
                    ?? throw new InvalidOperationException($"'{reference}' is outside the repository.")));
            diagnostics.AddRange(readDiagnostics);
            foreach (var testCase in testFile?.Cases ?? [])
            {
                var workflow = template.Workflows.FirstOrDefault(w => w.Compiled.Contains(testCase.Workflow));
                results.Add(workflow is null
                    ? new RuleTestCaseResult(testCase.Name, false, [$"No workflow of this template is named '{testCase.Workflow}'."], null, testCase.Location) { Expected = testCase.Expectations }
                    : RuleTestRunner.Run(testCase, workflow.Compiled, workflow.InputTypes));
            }
        }

        return new TemplateTestReport(template.Id, diagnostics, results);
    }
}
