using System.CommandLine;
using System.Text.Json;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules.Binding;

namespace ConfigurableContracts.Cli.Commands;

/// <summary>
/// The templates one <c>contracts validate</c> or <c>contracts test</c> run covers. DIR may be the repository, a
/// template's own folder under <c>schemas/</c> or its rules folder (the run then covers that template only), and
/// <c>--template</c> narrows further. A DIR that holds no template is an error: a run that checks nothing must
/// never report success.
/// </summary>
internal sealed record TemplateSelection(string Root, IReadOnlyList<string> TemplateIds, bool IsWholeRepository)
{
    public static Argument<DirectoryInfo?> DirectoryArgument() => new("DIR")
    {
        Description = "The repository (it holds schemas/ and rules/), or one template's schemas/<id> or rules/<id> folder; default: the current folder.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Option<string?> TemplateOption() => new("--template")
    {
        Description = "Only the template with this id.",
    };

    public static Option<bool> WarningsAsErrorsOption() => new("--warnings-as-errors")
    {
        Description = "Count warnings as errors, so that any warning fails the run (for CI).",
    };

    /// <summary>The selection DIR and <c>--template</c> describe, or the reason there is none.</summary>
    public static (TemplateSelection? Selection, string? Error) Resolve(string directory, string? templateId)
    {
        var target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(target))
        {
            return (null, $"{directory} does not exist.");
        }

        var options = new TemplateOptions();
        for (var root = new DirectoryInfo(target); root is not null; root = root.Parent)
        {
            var loader = new TemplateLoader(root.FullName, options);
            var inSchemas = IsInside(target, loader.SchemasRoot);
            var inRules = IsInside(target, loader.RulesRoot);
            if (root.FullName.TrimEnd(Path.DirectorySeparatorChar) != target && !inSchemas && !inRules)
            {
                continue;
            }

            var folders = loader.TemplateFolders().ToList();
            if (folders.Count == 0)
            {
                continue;
            }

            var selected = folders.Where(folder =>
                    (!inSchemas || IsInside(folder, target) || IsInside(target, folder))
                    && (!inRules || RulesFolder(folder) is { } rules && (IsInside(rules, target) || IsInside(target, rules))))
                .Select(Path.GetFileName)
                .OfType<string>()
                .ToList();
            var all = folders.Select(Path.GetFileName).OfType<string>().ToList();
            return Narrow(new TemplateSelection(root.FullName, selected, selected.Count == all.Count), all, directory, templateId);
        }

        return (null, $"{directory} holds no template: expected {options.SchemasPath}/<id>/{TemplateLoader.ManifestFileName} under it, or a template's own folder.");
    }

    private static (TemplateSelection? Selection, string? Error) Narrow(TemplateSelection selection, List<string> all, string directory, string? templateId)
    {
        if (selection.TemplateIds.Count == 0)
        {
            return (null, $"{directory} holds no template: it is inside {selection.Root} but is no template's folder (templates: {string.Join(", ", all)}).");
        }

        if (templateId is null)
        {
            return (selection, null);
        }

        if (!selection.TemplateIds.Contains(templateId, StringComparer.Ordinal))
        {
            return (null, $"--template {templateId}: no such template in {directory} (templates: {string.Join(", ", selection.TemplateIds)}).{NameSuggestions.Hint(templateId, selection.TemplateIds)}");
        }

        return (selection with { TemplateIds = [templateId], IsWholeRepository = all.Count == 1 }, null);
    }

    /// <summary>The manifest's <c>rules.folder</c>, resolved against the template folder; null when it cannot be read.</summary>
    internal static string? RulesFolder(string templateFolder)
    {
        try
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(templateFolder, TemplateLoader.ManifestFileName)),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return manifest.RootElement.TryGetProperty("rules", out var rules) && rules.ValueKind == JsonValueKind.Object
                && rules.TryGetProperty("folder", out var folder) && folder.ValueKind == JsonValueKind.String
                ? Path.GetFullPath(Path.Combine(templateFolder, folder.GetString()!)).TrimEnd(Path.DirectorySeparatorChar)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // The load that follows reports the unreadable manifest with its position.
            return null;
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies under it.</summary>
    private static bool IsInside(string path, string folder)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        var container = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        return full == container || full.StartsWith(container + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
