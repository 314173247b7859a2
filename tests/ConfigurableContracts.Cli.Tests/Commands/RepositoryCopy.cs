namespace ConfigurableContracts.Cli.Tests.Commands;

/// <summary>
/// A throw-away copy of the repository's schemas/ and rules/ folders, so a test can break one file on purpose
/// without touching the shipped templates or depending on what other tests do.
/// </summary>
internal sealed class RepositoryCopy : IDisposable
{
    private RepositoryCopy(DirectoryInfo root) => Root = root.FullName;

    /// <summary>The copy's root: pass it to <c>contracts validate</c> or <c>contracts test</c> as DIR.</summary>
    public string Root { get; }

    public static RepositoryCopy Create()
    {
        var source = FindRepository();
        var root = Directory.CreateTempSubdirectory("cli-repository-");
        foreach (var folder in new[] { "schemas", "rules" })
        {
            var from = Path.Combine(source, folder);
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(root.FullName, folder, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }
        return new RepositoryCopy(root);
    }

    /// <summary>
    /// Replaces the one occurrence of <paramref name="original"/> in a copied file; throws when the text is not there
    /// exactly once, so a change to the shipped file fails the test loudly instead of breaking the wrong place or none.
    /// </summary>
    public void Replace(string relativePath, string original, string replacement)
    {
        var path = Path.Combine(Root, relativePath);
        var text = File.ReadAllText(path);
        var first = text.IndexOf(original, StringComparison.Ordinal);
        if (first < 0 || text.IndexOf(original, first + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"'{original}' is not in {relativePath} exactly once; update the test to the shipped file.");
        }
        File.WriteAllText(path, text.Replace(original, replacement, StringComparison.Ordinal));
    }

    /// <summary>Replaces the first occurrence of <paramref name="original"/> in a copied file; throws when it is not there.</summary>
    public void ReplaceFirst(string relativePath, string original, string replacement)
    {
        var path = Path.Combine(Root, relativePath);
        var text = File.ReadAllText(path);
        var first = text.IndexOf(original, StringComparison.Ordinal);
        if (first < 0)
        {
            throw new InvalidOperationException($"'{original}' is not in {relativePath}; update the test to the shipped file.");
        }
        File.WriteAllText(path, string.Concat(text.AsSpan(0, first), replacement, text.AsSpan(first + original.Length)));
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="text"/> in a copied file.</summary>
    public int LineOf(string relativePath, string text)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, relativePath));
        var index = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        return index < 0 ? throw new InvalidOperationException($"'{text}' is not in {relativePath}.") : index + 1;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ConfigurableContracts.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (ConfigurableContracts.sln) was not found above the test binaries.");
    }
}
