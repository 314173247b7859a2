namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Finds the checked-in template files from a test run. Tests run from bin/, so the repository is found by walking
/// up to the folder that holds the solution file rather than by a fixed number of "..".
/// </summary>
internal static class RepositoryLayout
{
    private const string SolutionFileName = "ConfigurableContracts.sln";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding ConfigurableContracts.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>A repository-relative path with forward slashes, as shown in test names.</summary>
    public static string Relative(string fullPath) =>
        Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The full path of a repository-relative path written with forward slashes.</summary>
    public static string Full(string relativePath) =>
        Path.GetFullPath(Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar)));

    /// <summary>Repository-relative paths of the files matching a pattern under a top-level folder, sorted.</summary>
    public static IEnumerable<string> FilesUnder(string folder, string searchPattern)
    {
        var directory = Full(folder);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, searchPattern, SearchOption.AllDirectories)
            .Select(Relative)
            .Order(StringComparer.Ordinal);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No {SolutionFileName} above {AppContext.BaseDirectory}; the template guard tests must run inside the repository.");
    }
}
