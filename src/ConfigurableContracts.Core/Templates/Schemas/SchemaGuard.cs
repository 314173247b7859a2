using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Loads the JSON Schemas of a template folder under the guard: size and depth limits, <c>$ref</c> only within the
/// same file or to files inside the template folder, and every keyword either enforced or refused with a diagnostic
/// naming it. Documents are then validated by the compiled checks alone (see docs/decisions/0003-schema-guard.md).
/// </summary>
public sealed class SchemaGuard
{
    private readonly SchemaGuardOptions _options;

    public SchemaGuard(SchemaGuardOptions? options = null)
    {
        _options = options ?? new SchemaGuardOptions();
    }

    /// <summary>Reads and guards <paramref name="schemaPath"/>, which must lie inside <paramref name="templateFolder"/>.</summary>
    public Task<SchemaLoadResult> LoadAsync(string templateFolder, string schemaPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schemaPath);
        return Load(templateFolder, schemaPath, text: null, source: null, cancellationToken);
    }

    /// <summary>
    /// Guards <paramref name="schemaPath"/> as read into <paramref name="files"/>, resolving <c>$ref</c>s within them:
    /// the same refusals as on disk, without reading the folder again.
    /// </summary>
    public Task<SchemaLoadResult> LoadAsync(string templateFolder, string schemaPath, TemplateFiles files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schemaPath);
        ArgumentNullException.ThrowIfNull(files);
        return Load(templateFolder, schemaPath, text: null, files, cancellationToken);
    }

    /// <summary>
    /// Guards schema text that is not (or not yet) on disk, as if it were the file <paramref name="schemaPath"/>; relative
    /// <c>$ref</c>s still resolve against that path's folder.
    /// </summary>
    public Task<SchemaLoadResult> LoadTextAsync(string templateFolder, string schemaPath, string schemaJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        return Load(templateFolder, schemaPath, schemaJson, source: null, cancellationToken);
    }

    /// <summary>
    /// A load reads a few small files and waits on nothing, so it completes on the caller's thread; the public methods
    /// keep their Task shape for the callers that await them.
    /// </summary>
    private Task<SchemaLoadResult> Load(string templateFolder, string schemaPath, string? text, TemplateFiles? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(templateFolder);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(LoadCore(templateFolder, schemaPath, text, source));
    }

    private SchemaLoadResult LoadCore(string templateFolder, string schemaPath, string? text, TemplateFiles? source)
    {
        var diagnostics = new List<Diagnostic>();
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(templateFolder)) + Path.DirectorySeparatorChar;
        var fullPath = Path.GetFullPath(schemaPath);
        if (!fullPath.StartsWith(root, StringComparison.Ordinal) || (source?.PassesThroughLink(fullPath, root) ?? SchemaCompiler.PassesThroughLink(fullPath, root)))
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.RefusedReference,
                $"schema file is outside its template folder {templateFolder}", schemaPath, "", 1, 1));
            return new SchemaLoadResult(null, diagnostics);
        }

        var file = text is not null ? SchemaFile.Parse(System.Text.Encoding.UTF8.GetBytes(text), fullPath, schemaPath, _options, diagnostics)
            : source is not null ? SchemaFile.Read(source.Find(fullPath), fullPath, schemaPath, _options, diagnostics)
            : SchemaFile.Read(fullPath, schemaPath, _options, diagnostics);
        if (file is null)
            return new SchemaLoadResult(null, diagnostics);

        var compiler = new SchemaCompiler(_options, root, diagnostics, source);
        var node = compiler.Compile(file);
        if (node is null)
            return new SchemaLoadResult(null, diagnostics);

        var files = compiler.Files.Keys.OrderBy(p => p == fullPath ? 0 : 1).ThenBy(p => p, StringComparer.Ordinal).ToList();
        var sources = files.Select(path => new SchemaSource(path, compiler.Files[path].Text,
            compiler.References.Where(r => r.FromFile == path).ToList())).ToList();
        return new SchemaLoadResult(new GuardedSchema(schemaPath, node, sources, _options), diagnostics);
    }
}
