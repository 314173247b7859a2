using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Testing;

namespace ConfigurableContracts.Core.Templates;

/// <summary>What running one template's rule tests gave: load diagnostics, and a result per test case.</summary>
public sealed record TemplateTestReport(string TemplateId, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<RuleTestCaseResult> Results)
{
    public bool Passed => !Diagnostics.Any(d => d.IsError) && Results.All(r => r.Passed);

    /// <summary>How many cases brought each rule to each status, from the result trees the cases produced.</summary>
    public RuleCoverage Coverage { get; init; } = new();

    /// <summary>The rules <c>--require-coverage</c> checks: payment rules, the cohort-target rule and its outcome rule.</summary>
    public IReadOnlySet<CoveredRule> CoverageRequired { get; init; } = new HashSet<CoveredRule>();

    /// <summary>
    /// An error, located where the manifest names the rule, for each rule of <see cref="CoverageRequired"/> that no
    /// case brings to Achieved or no case brings to NotAchieved. Only <c>--require-coverage</c> fails on them: a
    /// template being written may not have its boundary cases yet.
    /// </summary>
    public IReadOnlyList<Diagnostic> CoverageGaps { get; init; } = [];

    /// <summary>The template version the cases ran against; null when it did not load.</summary>
    public TemplateVersion? Template { get; init; }
}

/// <summary>
/// Runs the rule test cases a template ships (<c>*.tests.json</c> in its rules folder) against the template's own
/// compiled workflows and typed inputs — what <c>contracts test</c> and the repository's guard test run.
/// </summary>
public static class TemplateTestRunner
{
    /// <summary>Runs the tests of every template under <paramref name="repositoryRoot"/>, or of those named in <paramref name="templateIds"/>.</summary>
    public static IReadOnlyList<TemplateTestReport> RunAll(string repositoryRoot, IReadOnlyCollection<string>? templateIds = null)
    {
        var loader = new TemplateLoader(repositoryRoot, new TemplateOptions());
        return loader.TemplateFolders()
            .Where(folder => templateIds is null || templateIds.Contains(Path.GetFileName(folder)))
            .Select(folder => Run(loader, repositoryRoot, folder))
            .ToList();
    }

    private static TemplateTestReport Run(TemplateLoader loader, string root, string folder)
    {
        var loaded = loader.Load(folder);
        if (loaded.Version is not { } template)
        {
            return new TemplateTestReport(loaded.Folder, loaded.Diagnostics, []);
        }

        var diagnostics = new List<Diagnostic>(loaded.Diagnostics);
        var manifest = RuleTestManifest.Read(template.Declared);
        var manifestPath = loader.DisplayPath(Path.Combine(folder, TemplateLoader.ManifestFileName));
        var manifestLocator = JsonPositions.Index(template.Files[manifestPath]);
        SourceLocation InManifest(string pointer)
        {
            var (line, column) = manifestLocator.Locate(pointer);
            return new SourceLocation(manifestPath, line, column);
        }

        var inputCheck = new RuleTestInputCheck(LoadSchemas(loader, folder, manifest, diagnostics), manifest);
        var coverage = new RuleCoverage();
        foreach (var workflow in template.Workflows)
        {
            coverage.AddWorkflow(workflow.Name);
        }

        var results = new List<RuleTestCaseResult>();
        var testFiles = template.Files.Keys.Where(f => f.StartsWith(loader.DisplayPath(loader.RulesRoot) + "/", StringComparison.Ordinal) && f.EndsWith(".tests.json", StringComparison.Ordinal)).ToList();
        if (testFiles.Count == 0)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.NoTestFiles, DiagnosticSeverity.Error,
                "The template ships no rule tests: add *.tests.json files to its rules folder, so its rules are checked before they decide payments.",
                InManifest("/rules/folder")));
        }

        foreach (var file in testFiles)
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
                if (workflow is null)
                {
                    results.Add(new RuleTestCaseResult(testCase.Name, false, [$"No workflow of this template is named '{testCase.Workflow}'."], null, testCase.Location) { Expected = testCase.Expectations });
                    continue;
                }

                // A case run on data its schemas refuse proves nothing, so it is reported and not run.
                var inputErrors = inputCheck.Check(testCase, workflow);
                if (inputErrors.Count > 0)
                {
                    diagnostics.AddRange(inputErrors);
                    continue;
                }

                var result = RuleTestRunner.Run(testCase, workflow.Compiled, workflow.InputTypes);
                results.Add(result);
                if (result.Actual is { } actual)
                {
                    coverage.Add(result.Workflow, actual);
                }
            }
        }

        var gaps = new List<Diagnostic>();
        foreach (var required in manifest.RequiredCoverage)
        {
            var missing = new[] { RuleStatus.Achieved, RuleStatus.NotAchieved }.Where(s => coverage.Count(required.Rule, s) == 0).ToList();
            if (missing.Count > 0)
            {
                gaps.Add(new Diagnostic(DiagnosticCodes.MissingCoverage, DiagnosticSeverity.Error,
                    $"No case brings the {required.Role} {required.Rule.RulePath} ({required.Rule.Workflow}) to {string.Join(" or ", missing)}; --require-coverage asks for both an Achieved and a NotAchieved case.",
                    InManifest(required.ManifestPointer)));
            }
        }

        return new TemplateTestReport(template.Id, diagnostics.Distinct().ToList(), results)
        {
            Coverage = coverage,
            CoverageRequired = manifest.RequiredCoverage.Select(r => r.Rule).ToHashSet(),
            CoverageGaps = gaps,
            Template = template,
        };
    }

    /// <summary>
    /// Every schema of the template by its manifest key, loaded through the same guard the template loader uses:
    /// test inputs are checked exactly as the server checks contracts, participants and measurements.
    /// </summary>
    private static Dictionary<string, IDocumentSchema> LoadSchemas(TemplateLoader loader, string folder, RuleTestManifest manifest, List<Diagnostic> diagnostics)
    {
        var schemas = new Dictionary<string, IDocumentSchema>(StringComparer.Ordinal);
        foreach (var (key, file) in manifest.SchemaFiles)
        {
            if (TemplateLoader.ResolveInside(folder, file) is { } path
                && SchemaFileLoader.Load(folder, path, loader.DisplayPath(path), diagnostics) is { } schema)
            {
                schemas[key] = schema;
            }
        }

        return schemas;
    }
}
