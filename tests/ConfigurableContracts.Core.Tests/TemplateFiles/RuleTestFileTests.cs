using System.Globalization;
using System.Text.Json;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Checks the shipped rule test cases before any rule runs: their inputs must be documents the template's schemas
/// accept, and every expectation must name a rule that exists. Otherwise a case could pass or fail for the wrong
/// reason (a typo in a rule name is simply never checked by the test runner).
/// </summary>
public sealed class RuleTestFileTests
{
    /// <summary>rules/&lt;template&gt;/tests/*.tests.json.</summary>
    public static TheoryData<string> RuleTestFiles() => new(RepositoryLayout.FilesUnder("rules", "*.tests.json"));

    [Theory]
    [MemberData(nameof(RuleTestFiles))]
    public async Task RuleTestInputs_ValidateAgainstTemplateSchemas_ForEveryCase(string path)
    {
        var manifest = TemplateManifestFile.Load(path.Split('/')[1]);
        var testFile = RepositoryLayout.Full(path);
        var problems = new List<string>();

        foreach (var testCase in ReadCases(testFile))
        {
            var caseName = testCase.GetProperty("name").GetString();
            var workflow = testCase.GetProperty("workflow").GetString()!;
            if (!manifest.TryGetWorkflowInputs(workflow, out var declaredInputs))
            {
                problems.Add($"\"{caseName}\": the manifest has no workflow {workflow}");
                continue;
            }

            foreach (var input in testCase.GetProperty("inputs").EnumerateObject())
            {
                if (!declaredInputs.TryGetValue(input.Name, out var inputType))
                {
                    problems.Add($"\"{caseName}\": {workflow} has no input {input.Name}");
                    continue;
                }

                var value = ResolveReference(input.Value, testFile);
                foreach (var error in await ValidateInput(manifest, inputType, value))
                {
                    problems.Add($"\"{caseName}\" {input.Name}: {error}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(RuleTestFiles))]
    public void RuleTestExpectations_NameExistingRules_ForEveryCase(string path)
    {
        var manifest = TemplateManifestFile.Load(path.Split('/')[1]);
        var problems = new List<string>();
        var cases = ReadCases(RepositoryLayout.Full(path));

        foreach (var testCase in cases)
        {
            var caseName = testCase.GetProperty("name").GetString();
            var workflow = testCase.GetProperty("workflow").GetString()!;
            if (!manifest.WorkflowFiles.ContainsKey(workflow))
            {
                problems.Add($"\"{caseName}\": the manifest has no workflow {workflow}");
                continue;
            }

            var rulePaths = manifest.RulePaths(workflow);
            problems.AddRange(testCase.GetProperty("expect").EnumerateObject()
                .Where(expectation => !rulePaths.Contains(expectation.Name))
                .Select(expectation => $"\"{caseName}\": {workflow} has no rule {expectation.Name}"));
        }

        var repeatedNames = cases.GroupBy(c => c.GetProperty("name").GetString(), StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"\"{g.Key}\" is the name of {g.Count()} cases");

        Assert.True(problems.Count == 0 && !repeatedNames.Any(), string.Join('\n', problems.Concat(repeatedNames)));
    }

    private static List<JsonElement> ReadCases(string fullPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(fullPath));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    /// <summary>An input written as "@relative/path.json" stands for the document at that path.</summary>
    private static JsonElement ResolveReference(JsonElement value, string testFile)
    {
        if (value.ValueKind != JsonValueKind.String || !value.GetString()!.StartsWith('@'))
        {
            return value;
        }

        var referenced = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, value.GetString()![1..]));
        using var document = JsonDocument.Parse(File.ReadAllText(referenced));
        return document.RootElement.Clone();
    }

    private static async Task<IEnumerable<string>> ValidateInput(TemplateManifestFile manifest, string inputType, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (inputType == "date")
        {
            var isDate = value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(
                value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            return isDate ? [] : [$"{value.GetRawText()} is not a yyyy-MM-dd date"];
        }

        var isArray = inputType.EndsWith("[]", StringComparison.Ordinal);
        var schemaKey = isArray ? inputType[..^2] : inputType;
        if (!manifest.TryGetSchemaFile(schemaKey, out var schemaPath))
        {
            return [$"the manifest has no schema {schemaKey}"];
        }

        var schema = await ShippedSchema.LoadAsync(schemaPath);
        if (!isArray)
        {
            return ShippedSchema.Errors(schema, value.GetRawText());
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return ["expected an array"];
        }

        return value.EnumerateArray()
            .SelectMany((item, index) => ShippedSchema.Errors(schema, item.GetRawText()).Select(e => $"[{index}] {e}"))
            .ToList();
    }
}
