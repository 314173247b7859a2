namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The keys of a bundle's files: <c>schemas/&lt;id&gt;/…</c> relative to the schemas path and <c>rules/&lt;folder&gt;/…</c>
/// relative to the rules path. Keys never depend on where those paths are on a machine, so the same files give the
/// same hash on every server, and a stored bundle can be laid out again and loaded wherever a contract is read.
/// </summary>
public static class BundlePaths
{
    public const string SchemasPrefix = "schemas/";

    public const string RulesPrefix = "rules/";

    /// <summary>The key of a template's manifest.</summary>
    public static string Manifest(string templateId) => $"{SchemasPrefix}{templateId}/{TemplateLoader.ManifestFileName}";

    /// <summary>
    /// Whether a file is part of what a template decides, and so of its bundle and hash. Documentation
    /// (<c>*.md</c>) and demo data (<c>examples/</c> in the template folder) travel with a template, but a typo fixed
    /// in a README must not make a new bundle whose version number is already in use.
    /// </summary>
    public static bool IsIdentity(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var segments = key.Split('/');
        return !(key.StartsWith(SchemasPrefix, StringComparison.Ordinal) && segments.Length > 3 && segments[2] == "examples");
    }

    /// <summary>
    /// Whether <paramref name="stored"/> holds exactly <paramref name="identity"/> once files outside the identity are
    /// left out: a bundle stored with its README before documentation left the identity is the same template as
    /// today's bundle of the same files, though the hashes differ.
    /// </summary>
    public static bool SameIdentity(IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> identity)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(identity);
        var kept = stored.Where(f => IsIdentity(f.Key)).ToList();
        return kept.Count == identity.Count && kept.All(f => identity.TryGetValue(f.Key, out var text) && string.Equals(text, f.Value, StringComparison.Ordinal));
    }
}
