using System.Text.Json;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// The parts of a checked-in template manifest the guard tests need, read straight from the JSON so that these tests
/// do not depend on the production template loader they are meant to back up.
/// </summary>
internal sealed class TemplateManifestFile
{
    private readonly Dictionary<string, string> _schemaFiles;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _workflowInputs;

    private TemplateManifestFile(string id, string directory, JsonElement manifest)
    {
        Id = id;
        Directory = directory;
        Json = manifest;
        _schemaFiles = manifest.GetProperty("schemas").EnumerateObject()
            .ToDictionary(p => p.Name, p => Path.Combine(directory, p.Value.GetString()!), StringComparer.Ordinal);
        RulesFolder = Path.GetFullPath(Path.Combine(directory, manifest.GetProperty("rules").GetProperty("folder").GetString()!));
        _workflowInputs = manifest.GetProperty("workflows").EnumerateArray().ToDictionary(
            w => w.GetProperty("name").GetString()!,
            w => (IReadOnlyDictionary<string, string>)w.GetProperty("inputs").EnumerateObject()
                .ToDictionary(i => i.Name, i => i.Value.GetString()!, StringComparer.Ordinal),
            StringComparer.Ordinal);
        WorkflowFiles = manifest.GetProperty("workflows").EnumerateArray().ToDictionary(
            w => w.GetProperty("name").GetString()!,
            w => Path.Combine(RulesFolder, w.GetProperty("file").GetString()!),
            StringComparer.Ordinal);
        MeasurementPoints = manifest.GetProperty("measurementPlan").GetProperty("points").EnumerateArray()
            .Select(p => new MeasurementWindow(
                p.GetProperty("id").GetString()!,
                p.GetProperty("offsetMonths").GetInt32(),
                p.GetProperty("windowDaysBefore").GetInt32(),
                p.GetProperty("windowDaysAfter").GetInt32()))
            .ToList();
    }

    public string Id { get; }

    /// <summary>The whole manifest, for checks that need more than the parts modelled here.</summary>
    public JsonElement Json { get; }

    /// <summary>Full path of the folder holding template.json.</summary>
    public string Directory { get; }

    /// <summary>Full path of the folder holding the template's workflow files.</summary>
    public string RulesFolder { get; }

    /// <summary>Workflow name to the full path of its file.</summary>
    public IReadOnlyDictionary<string, string> WorkflowFiles { get; }

    public IReadOnlyList<MeasurementWindow> MeasurementPoints { get; }

    /// <summary>Loads schemas/&lt;templateId&gt;/template.json.</summary>
    public static TemplateManifestFile Load(string templateId)
    {
        var directory = RepositoryLayout.Full($"schemas/{templateId}");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "template.json")));
        return new TemplateManifestFile(templateId, directory, manifest.RootElement.Clone());
    }

    public bool TryGetSchemaFile(string schemaKey, out string fullPath) =>
        _schemaFiles.TryGetValue(schemaKey, out fullPath!);

    public bool TryGetWorkflowInputs(string workflowName, out IReadOnlyDictionary<string, string> inputs) =>
        _workflowInputs.TryGetValue(workflowName, out inputs!);

    /// <summary>Every rule of a workflow as a result path: top-level names, nested ones as Parent/Child.</summary>
    public HashSet<string> RulePaths(string workflowName)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(WorkflowFiles[workflowName]));
        var workflows = document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.EnumerateArray().ToList()
            : [document.RootElement];
        var workflow = workflows.Single(w => w.GetProperty("WorkflowName").GetString() == workflowName);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        AddRulePaths(workflow.GetProperty("Rules"), prefix: "", paths);
        return paths;
    }

    private static void AddRulePaths(JsonElement rules, string prefix, HashSet<string> paths)
    {
        foreach (var rule in rules.EnumerateArray())
        {
            var path = prefix + rule.GetProperty("RuleName").GetString();
            paths.Add(path);
            if (rule.TryGetProperty("Rules", out var children))
            {
                AddRulePaths(children, path + "/", paths);
            }
        }
    }
}

/// <summary>A measurement point of the manifest's plan: due at enrolment + OffsetMonths, within the window.</summary>
internal sealed record MeasurementWindow(string Id, int OffsetMonths, int WindowDaysBefore, int WindowDaysAfter)
{
    public bool Contains(DateOnly enrolment, DateOnly measured)
    {
        var due = enrolment.AddMonths(OffsetMonths);
        return measured >= due.AddDays(-WindowDaysBefore) && measured <= due.AddDays(WindowDaysAfter);
    }
}
