namespace ConfigurableContracts.Core.Tests.Schemas;

/// <summary>A throw-away template folder with a sibling folder outside it, for testing what a $ref may reach.</summary>
internal sealed class TemplateFolder : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "cct-guard-" + Guid.NewGuid().ToString("N"));

    public TemplateFolder()
    {
        Root = Path.Combine(_parent, "template");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(_parent, "elsewhere"));
    }

    public string Root { get; }

    /// <summary>Writes a file relative to the template folder ("../elsewhere/x.json" lands outside it) and returns its path.</summary>
    public string Write(string relativePath, string content)
    {
        var path = Path.GetFullPath(Path.Combine(Root, relativePath));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);
}
