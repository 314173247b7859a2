using System.Text.Json;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Loads a stored bundle's files as the folders they came from, without writing them anywhere. Keys are relative to
/// the schemas and rules paths (<see cref="BundlePaths"/>), but the manifest names its rules folder relative to the
/// template folder (<c>../../rules/x</c>, or <c>../../../outcome-rules/x</c> on a server laid out differently), so
/// the template folder is placed as deep as that path climbs, and the rules path is chosen so that every rules file
/// keeps its key.
/// </summary>
public static class BundleFolder
{
    /// <summary>
    /// Where the bundle's folders are placed. Nothing is read or written there: diagnostics show paths relative to
    /// it, as they did when stored bundles were written out to a temporary folder.
    /// </summary>
    private static readonly string Root = Path.GetFullPath(Path.DirectorySeparatorChar + "stored-bundle");

    /// <summary>
    /// Loads <paramref name="templateId"/> from <paramref name="files"/> under the conventions of stored bundles.
    /// Throws when the files cannot be laid out without leaving their folders.
    /// </summary>
    public static TemplateLoadResult Load(string templateId, IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Root));
        var manifestKey = BundlePaths.Manifest(templateId);
        if (!files.TryGetValue(manifestKey, out var manifestText))
        {
            throw new InvalidOperationException($"The bundle has no manifest '{manifestKey}'.");
        }

        var rulesFolder = RulesFolderOf(manifestText);
        if (rulesFolder is null || Path.IsPathRooted(rulesFolder))
        {
            throw new InvalidOperationException($"The bundle's manifest names no relative rules folder ('{rulesFolder}').");
        }

        var climbs = rulesFolder.Split('/', '\\').Count(segment => segment == "..");
        var schemasRoot = Path.Combine([fullRoot, .. Enumerable.Repeat("schemas", Math.Max(climbs, 1))]);
        var rulesFolderPath = TemplateLoader.ResolveInside(fullRoot, Path.GetRelativePath(fullRoot, Path.Combine(schemasRoot, templateId, rulesFolder)))
            ?? throw new InvalidOperationException($"The bundle's rules folder '{rulesFolder}' leaves the folder it is loaded from.");
        var rulesRoot = RulesRootFor(fullRoot, rulesFolderPath, files.Keys.Where(k => k.StartsWith(BundlePaths.RulesPrefix, StringComparison.Ordinal))
            .Select(k => k[BundlePaths.RulesPrefix.Length..]).ToList());

        var placed = new List<(string Key, string FullPath, string Text)>();
        foreach (var (key, text) in files)
        {
            var path = key.StartsWith(BundlePaths.SchemasPrefix, StringComparison.Ordinal) ? TemplateLoader.ResolveInside(schemasRoot, key[BundlePaths.SchemasPrefix.Length..])
                : key.StartsWith(BundlePaths.RulesPrefix, StringComparison.Ordinal) ? TemplateLoader.ResolveInside(rulesRoot, key[BundlePaths.RulesPrefix.Length..])
                : null;
            placed.Add((key, path ?? throw new InvalidOperationException($"The bundle names a file outside its schemas and rules folders: '{key}'."), text));
        }

        var loader = new TemplateLoader(fullRoot, new TemplateOptions
        {
            SchemasPath = Path.GetRelativePath(fullRoot, schemasRoot),
            RulesPath = Path.GetRelativePath(fullRoot, rulesRoot),
            HotReload = false,
        }, storedBundles: true);
        return loader.Load(Path.Combine(loader.SchemasRoot, templateId), TemplateFiles.InMemory(placed, loader.DisplayPath));
    }

    /// <summary>
    /// The shallowest folder between the root and the rules folder under which every rules key lands inside the
    /// rules folder: the rules folder's own path within the rules path (<c>x</c> of <c>rules/x/outcomes.json</c>)
    /// is a tail of the manifest's rules folder, and the longest tail the keys all start with is it.
    /// </summary>
    private static string RulesRootFor(string root, string rulesFolder, List<string> rulesKeys)
    {
        var candidates = new List<string>();
        for (var folder = rulesFolder; folder.Length >= root.Length; folder = Path.GetDirectoryName(folder)!)
        {
            candidates.Add(folder);
            if (folder == root)
            {
                break;
            }
        }

        candidates.Reverse();
        return candidates.FirstOrDefault(candidate => rulesKeys.All(key => TemplateLoader.ResolveInside(rulesFolder, Path.GetRelativePath(rulesFolder, Path.Combine(candidate, key))) is not null))
            ?? throw new InvalidOperationException($"The bundle's rules files do not fit its rules folder '{Path.GetFileName(rulesFolder)}'.");
    }

    private static string? RulesFolderOf(string manifestText)
    {
        try
        {
            return JsonSerializer.Deserialize<TemplateManifest>(manifestText, TemplateManifest.SerializerOptions)?.Rules?.Folder;
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"The bundle's manifest is not readable JSON: {exception.Message}", exception);
        }
    }
}
