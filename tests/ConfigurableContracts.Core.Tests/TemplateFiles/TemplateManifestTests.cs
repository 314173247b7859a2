using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Checks that what a manifest names exists: files, workflows, rules and contract parameters. The editor schema can
/// only check the manifest's shape; a payment pointing at a renamed rule would otherwise pay nothing, silently.
/// </summary>
public sealed class TemplateManifestTests
{
    /// <summary>Every template id: the folders under schemas/ holding a template.json.</summary>
    public static TheoryData<string> TemplateIds() => new(
        RepositoryLayout.FilesUnder("schemas", "template.json").Select(path => path.Split('/')[1]));

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void Manifest_NamesFilesThatExist_WhenCheckedIn(string templateId)
    {
        var manifest = TemplateManifestFile.Load(templateId);
        var json = manifest.Json;
        var missing = new List<string>();

        Assert.Equal(templateId, json.GetProperty("id").GetString());
        foreach (var schema in json.GetProperty("schemas").EnumerateObject())
        {
            RequireFile(Path.Combine(manifest.Directory, schema.Value.GetString()!), $"schema {schema.Name}", missing);
        }

        var rules = json.GetProperty("rules");
        if (rules.TryGetProperty("functions", out var functions))
        {
            RequireFile(Path.Combine(manifest.RulesFolder, functions.GetString()!), "functions", missing);
        }

        if (rules.TryGetProperty("tests", out var tests) && !Directory.Exists(Path.Combine(manifest.RulesFolder, tests.GetString()!)))
        {
            missing.Add($"tests folder {tests.GetString()}");
        }

        foreach (var (name, file) in manifest.WorkflowFiles)
        {
            RequireFile(file, $"workflow {name}", missing);
        }

        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void Manifest_NamesWorkflowsRulesAndInputsThatExist_WhenCheckedIn(string templateId)
    {
        var manifest = TemplateManifestFile.Load(templateId);
        var json = manifest.Json;
        var problems = new List<string>();

        foreach (var workflow in json.GetProperty("workflows").EnumerateArray())
        {
            var name = workflow.GetProperty("name").GetString()!;
            foreach (var input in workflow.GetProperty("inputs").EnumerateObject())
            {
                var type = input.Value.GetString()!;
                var schemaKey = type.EndsWith("[]", StringComparison.Ordinal) ? type[..^2] : type;
                if (type != "date" && !manifest.TryGetSchemaFile(schemaKey, out _))
                {
                    problems.Add($"{name}.{input.Name}: no schema {schemaKey}");
                }
            }
        }

        var participantInputs = json.GetProperty("workflows").EnumerateArray()
            .Where(w => w.GetProperty("scope").GetString() == "participant")
            .SelectMany(w => w.GetProperty("inputs").EnumerateObject().Select(i => i.Name))
            .ToHashSet(StringComparer.Ordinal);
        problems.AddRange(json.GetProperty("measurementPlan").GetProperty("points").EnumerateArray()
            .Select(point => point.GetProperty("input").GetString()!)
            .Where(input => !participantInputs.Contains(input))
            .Select(input => $"measurement point input {input}: no participant workflow has it"));

        var ruleReferences = json.GetProperty("paymentModel").GetProperty("payments").EnumerateArray().ToList();
        if (json.TryGetProperty("cohortTarget", out var cohortTarget))
        {
            ruleReferences.Add(cohortTarget);
            ruleReferences.Add(cohortTarget.GetProperty("targetOutcome"));
        }

        foreach (var reference in ruleReferences)
        {
            var workflow = reference.GetProperty("workflow").GetString()!;
            var rule = reference.GetProperty("rule").GetString()!;
            if (!manifest.WorkflowFiles.ContainsKey(workflow))
            {
                problems.Add($"{workflow}/{rule}: no workflow {workflow}");
            }
            else if (!manifest.RulePaths(workflow).Contains(rule))
            {
                problems.Add($"{workflow}/{rule}: no rule {rule}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void Manifest_NamesContractParametersTheContractSchemaDeclares_WhenCheckedIn(string templateId)
    {
        var manifest = TemplateManifestFile.Load(templateId);
        var json = manifest.Json;
        Assert.True(manifest.TryGetSchemaFile("contract", out var contractSchemaFile), "The manifest has no contract schema.");
        using var contractSchema = JsonDocument.Parse(File.ReadAllText(contractSchemaFile));

        var parameters = new List<string>();
        if (json.GetProperty("paymentModel").TryGetProperty("caps", out var caps))
        {
            parameters.AddRange(caps.EnumerateObject().Where(p => p.Name.EndsWith("Parameter", StringComparison.Ordinal))
                .Select(p => p.Value.GetString()!));
        }

        if (json.TryGetProperty("cohortTarget", out var cohortTarget))
        {
            parameters.AddRange(cohortTarget.EnumerateObject().Where(p => p.Name.EndsWith("Parameter", StringComparison.Ordinal))
                .Select(p => p.Value.GetString()!));
        }

        var undeclared = parameters.Where(path => !DeclaresPath(contractSchema.RootElement, contractSchema.RootElement, path.Split('.')));

        Assert.NotEmpty(parameters);
        Assert.Empty(undeclared);
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void Functions_DeclareReturnTypes_AndReadNoClockOrRandomness(string templateId)
    {
        var manifest = TemplateManifestFile.Load(templateId);
        if (!manifest.Json.GetProperty("rules").TryGetProperty("functions", out var functionsFile))
        {
            return;
        }

        var source = File.ReadAllText(Path.Combine(manifest.RulesFolder, functionsFile.GetString()!));
        var declared = Regex.Matches(source, @"^function\s+(\w+)", RegexOptions.Multiline, TimeSpan.FromSeconds(1))
            .Select(m => m.Groups[1].Value).ToList();
        var documented = Regex.Matches(source, @"/\*\*((?:(?!\*/).)*?@returns\s*\{\w+\}(?:(?!\*/).)*)\*/\s*function\s+(\w+)",
                RegexOptions.Singleline, TimeSpan.FromSeconds(1))
            .Select(m => m.Groups[2].Value).ToHashSet(StringComparer.Ordinal);

        var undocumented = declared.Except(documented, StringComparer.Ordinal).ToList();

        // The binder types fn.name(...) by the JSDoc @returns; rules must be repeatable, so no clock or dice either.
        Assert.NotEmpty(declared);
        Assert.Empty(undocumented);
        Assert.DoesNotMatch(new Regex(@"\bDate\b|Math\.random", RegexOptions.None, TimeSpan.FromSeconds(1)), source);
    }

    private static void RequireFile(string fullPath, string what, List<string> missing)
    {
        if (!File.Exists(fullPath))
        {
            missing.Add($"{what}: {RepositoryLayout.Relative(fullPath)} does not exist");
        }
    }

    private static bool DeclaresPath(JsonElement root, JsonElement schema, ReadOnlySpan<string> path)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = root.GetProperty("definitions").GetProperty(reference.GetString()!["#/definitions/".Length..]);
        }

        if (path.IsEmpty)
        {
            return true;
        }

        return schema.TryGetProperty("properties", out var properties)
            && properties.TryGetProperty(path[0], out var property)
            && DeclaresPath(root, property, path[1..]);
    }
}
