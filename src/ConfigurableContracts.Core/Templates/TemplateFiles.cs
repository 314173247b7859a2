using System.Text;
using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// The files of one template load, each read at most once: the manifest, schemas, workflows and functions are parsed,
/// the compilation is cached and the bundle is hashed from the same text. Reading a file again for each of those let
/// an edit landing between two reads pair workflows compiled from one version with the bundle hash of the next.
/// </summary>
/// <remarks>
/// Paths are full paths under the loader's schemas and rules paths. Files read from disk are keyed by those paths;
/// a stored bundle's files are placed at the paths they would have if written out (<see cref="BundleFolder"/>), and
/// nothing is read from or written to disk for them.
/// </remarks>
public sealed class TemplateFiles
{
    private readonly Dictionary<string, TemplateFile> _files = new(StringComparer.Ordinal);
    private readonly List<(string Folder, List<TemplateFile> Identity, bool TooMany)> _folders = [];
    private readonly HashSet<string> _bundleFolders = new(StringComparer.Ordinal);
    private readonly bool _fromDisk;
    private readonly Func<string, string> _displayPath;

    private TemplateFiles(bool fromDisk, Func<string, string> displayPath)
    {
        _fromDisk = fromDisk;
        _displayPath = displayPath;
    }

    /// <summary>An empty map that reads each file from disk the first time it is asked for.</summary>
    internal static TemplateFiles OnDisk(Func<string, string> displayPath) => new(fromDisk: true, displayPath);

    /// <summary>A stored bundle's files at <paramref name="paths"/>' full paths; no other file exists.</summary>
    internal static TemplateFiles InMemory(IEnumerable<(string Key, string FullPath, string Text)> paths, Func<string, string> displayPath)
    {
        var files = new TemplateFiles(fromDisk: false, displayPath);
        foreach (var (key, fullPath, text) in paths)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            files._files[fullPath] = new TemplateFile(key, fullPath, displayPath(fullPath), bytes.Length, bytes, text, null);
            for (var folder = Path.GetDirectoryName(fullPath); folder is not null && files._bundleFolders.Add(folder); folder = Path.GetDirectoryName(folder))
            {
            }
        }

        return files;
    }

    /// <summary>Whether <paramref name="fullPath"/> is a folder of the template.</summary>
    public bool FolderExists(string fullPath) => _fromDisk ? Directory.Exists(fullPath) : _bundleFolders.Contains(Path.TrimEndingDirectorySeparator(fullPath));

    /// <summary>Whether <paramref name="fullPath"/> is a file of the template (it may still be too large to read).</summary>
    public bool Exists(string fullPath) => Find(fullPath) is not null;

    /// <summary>The file at <paramref name="fullPath"/>, read now if it has not been yet; null when there is none.</summary>
    public TemplateFile? Find(string fullPath)
    {
        if (_files.TryGetValue(fullPath, out var file))
        {
            return file;
        }

        if (!_fromDisk || !File.Exists(fullPath))
        {
            return null;
        }

        file = ReadFromDisk(fullPath, null, _displayPath(fullPath));
        _files[fullPath] = file;
        return file;
    }

    /// <summary>
    /// <see cref="Find"/>, except that a file missing on disk comes back with the error reading it gave, for the
    /// diagnostic; the miss is not kept, so a later look finds the file if it appears.
    /// </summary>
    internal TemplateFile? Read(string fullPath) =>
        Find(fullPath) ?? (_fromDisk ? ReadFromDisk(fullPath, null, _displayPath(fullPath)) : null);

    /// <summary>How diagnostics name <paramref name="path"/>.</summary>
    internal string DisplayPath(string path) => _displayPath(path);

    /// <summary>A symbolic link inside the folder could point anywhere; a stored bundle has none.</summary>
    internal bool PassesThroughLink(string fullPath, string root) => _fromDisk && SchemaCompiler.PassesThroughLink(fullPath, root);

    /// <summary>
    /// Reads every bundle file (see <see cref="BundlePaths.IsIdentity"/>) under <paramref name="folder"/> up front,
    /// keyed relative to <paramref name="root"/>, so the bundle is one snapshot of the folder. Past
    /// <see cref="TemplateLoader.MaxBundleFiles"/> nothing more is read: the bundle is refused anyway.
    /// </summary>
    internal void Include(string folder, string root, string prefix)
    {
        var identity = new List<TemplateFile>();
        var tooMany = false;
        if (_fromDisk)
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var key = prefix + Path.GetRelativePath(root, path).Replace('\\', '/');
                if (!BundlePaths.IsIdentity(key))
                {
                    continue;
                }

                if (identity.Count >= TemplateLoader.MaxBundleFiles)
                {
                    tooMany = true;
                    break;
                }

                if (!_files.TryGetValue(path, out var file))
                {
                    file = ReadFromDisk(path, key, _displayPath(path));
                    _files[path] = file;
                }

                identity.Add(file with { Key = key });
            }
        }
        else
        {
            var inside = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
            foreach (var file in _files.Values.Where(f => f.FullPath.StartsWith(inside, StringComparison.Ordinal)).OrderBy(f => f.FullPath, StringComparer.Ordinal))
            {
                var key = prefix + Path.GetRelativePath(root, file.FullPath).Replace('\\', '/');
                if (!BundlePaths.IsIdentity(key))
                {
                    continue;
                }

                if (identity.Count >= TemplateLoader.MaxBundleFiles)
                {
                    tooMany = true;
                    break;
                }

                identity.Add(file with { Key = key });
            }
        }

        _folders.Add((folder, identity, tooMany));
    }

    /// <summary>The bundle files of each included folder in the order they were found, and whether there were too many.</summary>
    internal IReadOnlyList<(string Folder, List<TemplateFile> Identity, bool TooMany)> Included => _folders;

    private static TemplateFile ReadFromDisk(string fullPath, string? key, string displayPath)
    {
        try
        {
            var length = new FileInfo(fullPath).Length;
            if (length > TemplateLoader.MaxFileBytes)
            {
                return new TemplateFile(key, fullPath, displayPath, length, null, null, null);
            }

            var bytes = File.ReadAllBytes(fullPath);

            // Decoded as File.ReadAllText decodes, so every reader of the text sees what it saw when it read the file.
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return new TemplateFile(key, fullPath, displayPath, bytes.Length, bytes, reader.ReadToEnd(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TemplateFile(key, fullPath, displayPath, 0, null, null, e.Message);
        }
    }
}

/// <summary>
/// One file of a template: its bundle key (null until it is found as part of the bundle), its bytes and text, or why
/// there are none (<see cref="ReadError"/>, otherwise <see cref="Length"/> over <see cref="TemplateLoader.MaxFileBytes"/>).
/// The bytes are kept for the schema guard, which decodes strictly and reports positions in bytes as read.
/// </summary>
public sealed record TemplateFile(string? Key, string FullPath, string DisplayPath, long Length, byte[]? Bytes, string? Text, string? ReadError);
