using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Reads one template from its folders (<c>schemas/&lt;id&gt;/</c> and its rules folder) into a
/// <see cref="TemplateVersion"/>, or into diagnostics that say exactly what is wrong and where.
/// </summary>
/// <remarks>
/// Template files are code-like input from other organisations' repositories, so every path is checked to stay
/// inside its folder and every file is size-limited before it is parsed.
/// </remarks>
public sealed partial class TemplateLoader(string contentRoot, TemplateOptions options, bool storedBundles = false)
{
    public const string ManifestFileName = "template.json";
    internal const int MaxFileBytes = 1024 * 1024;
    internal const int MaxBundleFiles = 500;

    private readonly string _contentRoot = Path.GetFullPath(contentRoot);

    /// <summary>The last compilation per template folder, with the content hash it was made from.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedCompilation> _compilations = new(StringComparer.Ordinal);

    public string SchemasRoot => Path.GetFullPath(Path.Combine(_contentRoot, options.SchemasPath));

    public string RulesRoot => Path.GetFullPath(Path.Combine(_contentRoot, options.RulesPath));

    /// <summary>How long files must be quiet before a reload; the catalog waits as long before withdrawing a template.</summary>
    public TimeSpan ReloadDebounce => options.ReloadDebounce;

    /// <summary>Folders under <see cref="SchemasRoot"/> holding a manifest, one per template.</summary>
    public IEnumerable<string> TemplateFolders() =>
        Directory.Exists(SchemasRoot)
            ? Directory.EnumerateDirectories(SchemasRoot).Where(d => File.Exists(Path.Combine(d, ManifestFileName))).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Loads the template in <paramref name="folder"/>; the version is null when any error was found.</summary>
    public TemplateLoadResult Load(string folder) => Load(folder, TemplateFiles.OnDisk(DisplayPath));

    /// <summary>
    /// Loads the template in <paramref name="folder"/> from <paramref name="files"/> alone: every check, the
    /// compilation and the bundle see one reading of each file.
    /// </summary>
    internal TemplateLoadResult Load(string folder, TemplateFiles files)
    {
        var diagnostics = new List<Diagnostic>();
        var folderName = Path.GetFileName(folder);
        var manifestPath = Path.Combine(folder, ManifestFileName);
        var manifestText = ReadLimited(files, manifestPath, diagnostics);
        if (manifestText is null)
        {
            return new TemplateLoadResult(folderName, null, diagnostics);
        }

        files.Include(Path.GetFullPath(folder), SchemasRoot, BundlePaths.SchemasPrefix);

        var locator = JsonPositions.Index(manifestText);
        var display = DisplayPath(manifestPath);
        void Report(string code, string pointer, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
        {
            // A bundle stored by an earlier version of the platform was valid then and contracts still run on it:
            // checks added since may warn about it, never take it out of service.
            if (storedBundles && IsManifestCheck(code))
            {
                severity = DiagnosticSeverity.Warning;
            }

            var (line, column) = locator.Locate(pointer);
            diagnostics.Add(new Diagnostic(code, severity, message, new SourceLocation(display, line, column)));
        }

        TemplateManifest manifest;
        JsonElement manifestElement;
        try
        {
            using var document = JsonDocument.Parse(manifestText, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 });
            manifestElement = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            // Syntax first, in the wording of every template file; otherwise the text is JSON but a value has the wrong
            // type, and the exception's own position counts from that value, not from the file.
            var syntax = JsonSyntaxError.Find(manifestText, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 });
            var (pointer, line, column) = locator.LocatePath(exception.Path);
            diagnostics.Add(syntax is not null
                ? new Diagnostic("CCT0101", DiagnosticSeverity.Error, syntax.Message, new SourceLocation(display, syntax.Line, syntax.Column))
                : new Diagnostic("CCT0101", DiagnosticSeverity.Error, (pointer.Length == 0 ? "The manifest must be a JSON object" : $"The manifest value at '{pointer}' has the wrong type") + "; see schemas/template-manifest.schema.json.", new SourceLocation(display, line, column)));
            return new TemplateLoadResult(folderName, null, diagnostics);
        }

        // The editor schema first: a manifest of the wrong shape would only give confusing follow-up errors.
        var fitsSchema = true;
        foreach (var (pointer, message) in ManifestSchema.Validate(manifestElement))
        {
            fitsSchema = false;
            Report("CCT0120", pointer, message);
        }

        if (diagnostics.Any(d => d.IsError))
        {
            return new TemplateLoadResult(folderName, null, diagnostics);
        }

        try
        {
            manifest = manifestElement.Deserialize<TemplateManifest>(TemplateManifest.SerializerOptions)!;
        }
        catch (JsonException exception)
        {
            var (_, line, column) = locator.LocatePath(exception.Path);
            diagnostics.Add(new Diagnostic("CCT0120", DiagnosticSeverity.Error, $"The manifest value at '{exception.Path}' has the wrong type; see schemas/template-manifest.schema.json.", new SourceLocation(display, line, column)));
            return new TemplateLoadResult(folderName, null, diagnostics);
        }

        // Only a stored manifest that no longer fits the schema was written for the old conventions; one that fits
        // means exactly what it means on disk, so a bundle decides the same wherever it is loaded from.
        if (storedBundles && !fitsSchema)
        {
            ApplyConventionsOfStoredBundles(manifest);
        }

        if (string.IsNullOrWhiteSpace(manifest.Id))
        {
            Report("CCT0102", "", "The manifest has no 'id'.");
        }
        else if (!string.Equals(manifest.Id, folderName, StringComparison.Ordinal))
        {
            Report("CCT0103", "/id", $"The manifest id '{manifest.Id}' differs from its folder name '{folderName}'.");
        }

        if (string.IsNullOrWhiteSpace(manifest.Version))
        {
            Report("CCT0102", "", "The manifest has no 'version'.");
        }
        else if (!SemanticVersion().IsMatch(manifest.Version))
        {
            Report("CCT0104", "/version", $"The version '{manifest.Version}' is not a semantic version (MAJOR.MINOR.PATCH).");
        }

        if (manifest.Title is null || manifest.Title.Count == 0)
        {
            Report("CCT0102", "", "The manifest has no 'title'.");
        }

        var schemas = new Dictionary<string, IDocumentSchema>(StringComparer.Ordinal);
        var schemaDocuments = new Dictionary<string, SchemaDocument>(StringComparer.Ordinal);
        foreach (var required in RequiredSchemas.Where(r => manifest.Schemas is null || !manifest.Schemas.ContainsKey(r)))
        {
            Report("CCT0102", "/schemas", $"The manifest names no '{required}' schema.");
        }

        foreach (var (key, file) in manifest.Schemas ?? [])
        {
            var path = ResolveInside(folder, file);
            if (path is null)
            {
                Report("CCT0105", $"/schemas/{key}", $"The schema path '{file}' leaves the template folder.");
            }
            else if (!files.Exists(path))
            {
                Report("CCT0106", $"/schemas/{key}", $"The schema file '{file}' does not exist.");
            }
            else
            {
                var schema = SchemaFileLoader.Load(folder, path, DisplayPath(path), files, diagnostics);
                if (schema is not null)
                {
                    schemas[key] = schema;
                    schemaDocuments[key] = SchemaDocument.Parse(key, DisplayPath(path), files.Find(path)!.Text!);
                }
            }
        }

        var plan = ReadPlan(manifest, Report);
        var rulesFolder = ReadRules(folder, manifest, files, Report);
        if (rulesFolder is not null)
        {
            files.Include(rulesFolder, RulesRoot, BundlePaths.RulesPrefix);
        }

        var compilation = rulesFolder is null || diagnostics.Any(d => d.IsError)
            ? null
            : CompileWorkflows(folder, rulesFolder, manifest, files, schemaDocuments, diagnostics);
        var workflows = compilation?.Workflows ?? [];
        if (compilation is not null && !diagnostics.Any(d => d.IsError))
        {
            new ManifestChecks(manifest, schemaDocuments, compilation.Definitions, workflows, compilation.SchemaTypes, Report, diagnostics).Run();
        }

        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return new TemplateLoadResult(folderName, null, diagnostics);
        }

        var bundle = CollectFiles(folder, files, diagnostics);
        if (bundle is null)
        {
            return new TemplateLoadResult(folderName, null, diagnostics);
        }

        var version = new TemplateVersion
        {
            Id = manifest.Id!,
            Version = manifest.Version!,
            BundleHash = BundleHash(bundle),
            Files = bundle,
            Title = manifest.Title!,
            Description = manifest.Description ?? [],
            ContractSchema = schemas["contract"],
            ParticipantSchema = schemas["participant"],
            MeasurementSchema = schemas["measurement"],
            MeasurementPlan = plan!,
            Workflows = workflows,
            Manifest = manifestElement,
            Declared = manifest,
            Warnings = diagnostics,
        };
        return new TemplateLoadResult(folderName, version, diagnostics);
    }

    /// <summary>
    /// SHA-256 over every file's path and normalised text in path order: the same files give the same hash on
    /// every machine, whatever the checkout's line endings.
    /// </summary>
    public static string BundleHash(IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Normalises a file's text for hashing and storage: no byte-order mark, LF line endings.</summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
    }

    private static MeasurementPlan? ReadPlan(TemplateManifest manifest, Action<string, string, string, DiagnosticSeverity> report)
    {
        var points = manifest.MeasurementPlan?.Points;
        if (points is null || points.Count == 0)
        {
            report("CCT0102", "/measurementPlan", "The manifest has no measurement plan points.", DiagnosticSeverity.Error);
            return null;
        }

        var result = new List<MeasurementPoint>();
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            var pointer = $"/measurementPlan/points/{i}";
            if (string.IsNullOrWhiteSpace(point.Id) || point.OffsetMonths is null)
            {
                report("CCT0107", pointer, "A measurement point needs an 'id' and an 'offsetMonths'.", DiagnosticSeverity.Error);
                continue;
            }

            if (point.OffsetMonths < 0 || point.WindowDaysBefore < 0 || point.WindowDaysAfter < 0)
            {
                report("CCT0107", pointer, $"Measurement point '{point.Id}' has a negative offset or window.", DiagnosticSeverity.Error);
                continue;
            }

            if (result.Any(p => p.Id == point.Id))
            {
                report("CCT0107", pointer + "/id", $"Measurement point '{point.Id}' is planned twice.", DiagnosticSeverity.Error);
                continue;
            }

            result.Add(new MeasurementPoint(point.Id, point.Input ?? point.Id, point.OffsetMonths.Value, point.WindowDaysBefore ?? 0, point.WindowDaysAfter ?? 0));
        }

        return new MeasurementPlan(result);
    }

    private string? ReadRules(string folder, TemplateManifest manifest, TemplateFiles files, Action<string, string, string, DiagnosticSeverity> report)
    {
        var rulesFolder = manifest.Rules?.Folder is { } relative ? ResolveInside(RulesRoot, Path.Combine(folder, relative), requireRelative: false) : null;
        if (manifest.Rules?.Folder is null)
        {
            report("CCT0102", "/rules", "The manifest has no 'rules.folder'.", DiagnosticSeverity.Error);
            return null;
        }

        if (rulesFolder is null)
        {
            report("CCT0105", "/rules/folder", $"The rules folder '{manifest.Rules.Folder}' is not inside the rules path '{DisplayPath(RulesRoot)}'.", DiagnosticSeverity.Error);
            return null;
        }

        if (!files.FolderExists(rulesFolder))
        {
            report("CCT0106", "/rules/folder", $"The rules folder '{manifest.Rules.Folder}' does not exist.", DiagnosticSeverity.Error);
            return null;
        }

        if (manifest.Rules.Tests is not { } tests)
        {
            report(ManifestChecks.RuleTests, "/rules", "The template declares no rule tests ('rules.tests'); without them a changed rule is never checked against what it should decide.", DiagnosticSeverity.Warning);
        }
        else if (ResolveInside(rulesFolder, tests) is not { } testsFolder || !files.FolderExists(testsFolder))
        {
            report(ManifestChecks.RuleTests, "/rules/tests", $"The rule tests folder '{tests}' does not exist in the rules folder.", DiagnosticSeverity.Error);
        }

        var workflows = manifest.Workflows ?? [];
        for (var i = 0; i < workflows.Count; i++)
        {
            var workflow = workflows[i];
            var pointer = $"/workflows/{i}";
            if (string.IsNullOrWhiteSpace(workflow.Name) || string.IsNullOrWhiteSpace(workflow.File))
            {
                report("CCT0102", pointer, "A workflow needs a 'name' and a 'file'.", DiagnosticSeverity.Error);
                continue;
            }

            var file = ResolveInside(rulesFolder, workflow.File);
            if (file is null)
            {
                report("CCT0105", pointer + "/file", $"The workflow file '{workflow.File}' leaves the rules folder.", DiagnosticSeverity.Error);
            }
            else if (!files.Exists(file))
            {
                report("CCT0106", pointer + "/file", $"The workflow file '{workflow.File}' does not exist.", DiagnosticSeverity.Error);
            }

            if (workflow.Scope is not ("participant" or "cohort"))
            {
                report("CCT0102", pointer + "/scope", $"The workflow scope '{workflow.Scope}' is not 'participant' or 'cohort'.", DiagnosticSeverity.Error);
            }

            foreach (var (input, type) in workflow.Inputs ?? [])
            {
                var schemaKey = type.EndsWith("[]", StringComparison.Ordinal) ? type[..^2] : type;
                if (type != "date" && !(manifest.Schemas?.ContainsKey(schemaKey) ?? false))
                {
                    report("CCT0109", $"{pointer}/inputs/{input}", $"Input '{input}' has type '{type}', which is neither 'date' nor a schema of this template ({string.Join(", ", manifest.Schemas?.Keys.AsEnumerable() ?? [])}).", DiagnosticSeverity.Error);
                }
            }
        }

        return rulesFolder;
    }

    /// <summary>The template's JavaScript functions, sandboxed; null (with diagnostics) when the file is refused.</summary>
    private JavaScriptFunctions? LoadFunctions(string rulesFolder, TemplateManifest manifest, TemplateFiles files, List<Diagnostic> diagnostics)
    {
        if (manifest.Rules?.Functions is not { } functionsFile)
        {
            return null;
        }

        var path = ResolveInside(rulesFolder, functionsFile);
        if (path is null || !files.Exists(path))
        {
            diagnostics.Add(new Diagnostic("CCT0106", DiagnosticSeverity.Error, $"The functions file '{functionsFile}' does not exist inside the rules folder.",
                new SourceLocation(DisplayPath(Path.Combine(rulesFolder, functionsFile)), 1, 1)));
            return null;
        }

        var display = DisplayPath(path);
        var source = ReadLimited(files, path, diagnostics);
        if (source is null)
        {
            return null;
        }

        var functions = JavaScriptFunctions.Load(display, source, out var scriptDiagnostics);
        diagnostics.AddRange(scriptDiagnostics);
        return functions;
    }

    /// <summary>
    /// Compiles the manifest's workflows, or hands back the last compilation of this template folder when every file
    /// it is made from is unchanged. A hot reload re-reads every template whenever any file changes; without this,
    /// each edit to one template would recompile all of them.
    /// </summary>
    private TemplateCompilation CompileWorkflows(
        string templateFolder, string rulesFolder, TemplateManifest manifest, TemplateFiles files, Dictionary<string, SchemaDocument> schemas, List<Diagnostic> diagnostics)
    {
        var key = CompilationKey(templateFolder, rulesFolder, manifest, files);
        if (_compilations.TryGetValue(templateFolder, out var cached) && cached.Key == key)
        {
            diagnostics.AddRange(cached.Diagnostics.Where(d => !diagnostics.Contains(d)));
            return cached.Compilation;
        }

        var before = diagnostics.Count;
        var compilation = CompileWorkflowsAnew(rulesFolder, manifest, files, schemas, diagnostics);
        _compilations[templateFolder] = new CachedCompilation(key, compilation, diagnostics[before..]);
        return compilation;
    }

    /// <summary>
    /// SHA-256 over everything a compilation depends on: the manifest's workflow list and the text of every rule
    /// file, the functions file and every schema file it names (a file that cannot be read counts as empty, and its
    /// error is reported by the compilation itself).
    /// </summary>
    private static string CompilationKey(string templateFolder, string rulesFolder, TemplateManifest manifest, TemplateFiles files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        void AddFile(string? path)
        {
            Add(path ?? "");
            Add(path is not null && files.Find(path) is { Text: { } text } ? text : "");
        }

        Add(JsonSerializer.Serialize(manifest.Workflows, TemplateManifest.SerializerOptions));
        foreach (var file in (manifest.Workflows ?? []).Select(w => w.File!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            AddFile(ResolveInside(rulesFolder, file));
        }

        AddFile(manifest.Rules?.Functions is { } functions ? ResolveInside(rulesFolder, functions) : null);
        foreach (var (key, file) in (manifest.Schemas ?? []).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Add(key);
            AddFile(ResolveInside(templateFolder, file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Reads every workflow file once, then compiles each manifest workflow against the types of its own inputs,
    /// so a misspelled field or a wrong comparison is a load-time error located in the workflow file.
    /// </summary>
    private TemplateCompilation CompileWorkflowsAnew(
        string rulesFolder, TemplateManifest manifest, TemplateFiles files, Dictionary<string, SchemaDocument> schemas, List<Diagnostic> diagnostics)
    {
        var definitions = new List<WorkflowDefinition>();
        var unreadable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in (manifest.Workflows ?? []).Select(w => w.File!).Distinct(StringComparer.Ordinal))
        {
            var path = Path.Combine(rulesFolder, file);
            var text = ReadLimited(files, path, diagnostics);
            var read = text is null ? null : WorkflowReader.Read(DisplayPath(path), text);
            if (read is null || read.HasFileErrors)
            {
                unreadable.Add(file);
            }

            diagnostics.AddRange(read?.Diagnostics ?? []);
            definitions.AddRange(read?.Workflows ?? []);
        }

        var functions = LoadFunctions(rulesFolder, manifest, files, diagnostics);

        // A file that could not be read has said why; what it would have defined is not missing a second time.
        bool IsConsequence(Diagnostic d) =>
            (unreadable.Count > 0 && d.Code is DiagnosticCodes.UnknownInjectedWorkflow or DiagnosticCodes.UnknownEvaluateRuleTarget)
            || (functions is null && manifest.Rules?.Functions is not null && d.Code == DiagnosticCodes.NoFunctions);
        var schemaTypes = new Dictionary<string, RuleType>(StringComparer.Ordinal);
        foreach (var (key, schema) in schemas)
        {
            // Parsed once by the load, for the manifest checks; the rule types are read from the same tree.
            schemaTypes[key] = RuleType.FromJsonSchema(schema.Root);
        }

        var compiled = new List<TemplateWorkflow>();
        foreach (var workflow in manifest.Workflows ?? [])
        {
            if (!definitions.Any(d => d.Name == workflow.Name))
            {
                if (unreadable.Contains(workflow.File!))
                {
                    continue;
                }

                var filePath = DisplayPath(Path.Combine(rulesFolder, workflow.File!));
                var inFile = definitions.Where(d => d.Location.Path == filePath).Select(d => d.Name).ToList();
                diagnostics.Add(new Diagnostic("CCT0113", DiagnosticSeverity.Error,
                    $"The manifest runs workflow '{workflow.Name}', but '{workflow.File}' defines {(inFile.Count == 0 ? "none" : string.Join(", ", inFile.Select(n => $"'{n}'")))}.{NameSuggestions.Hint(workflow.Name!, inFile)}",
                    new SourceLocation(filePath, 1, 1)));
                continue;
            }

            var inputTypes = (workflow.Inputs ?? []).ToDictionary(
                input => input.Key,
                input => input.Value switch
                {
                    "date" => RuleType.Date,
                    var array when array.EndsWith("[]", StringComparison.Ordinal) => RuleType.ArrayOf(schemaTypes[array[..^2]]),
                    var key => schemaTypes[key],
                },
                StringComparer.Ordinal);
            var compilation = WorkflowCompiler.Compile(WithDependencies(workflow.Name!, definitions), inputTypes, functions);
            diagnostics.AddRange(compilation.Diagnostics.Where(d => !diagnostics.Contains(d) && !IsConsequence(d)));
            compiled.Add(new TemplateWorkflow
            {
                Name = workflow.Name!,
                Scope = workflow.Scope!,
                InputTypes = inputTypes,
                DeclaredInputs = workflow.Inputs ?? [],
                Facts = compilation.Facts,
                Compiled = compilation.Workflows,
            });
        }

        return new TemplateCompilation(compiled, definitions, schemaTypes);
    }

    /// <summary>
    /// The named workflow and every workflow it injects or evaluates rules of, transitively: a participant workflow
    /// is compiled with participant inputs only, so a cohort workflow in another file must not be bound with them.
    /// </summary>
    private static List<WorkflowDefinition> WithDependencies(string name, List<WorkflowDefinition> definitions)
    {
        var byName = definitions.GroupBy(d => d.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var result = new List<WorkflowDefinition>();
        var pending = new Stack<string>([name]);
        while (pending.TryPop(out var next))
        {
            if (!byName.TryGetValue(next, out var definition) || result.Contains(definition))
            {
                continue;
            }

            result.Add(definition);
            foreach (var injected in definition.WorkflowsToInject)
            {
                pending.Push(injected);
            }

            foreach (var target in RuleDefinition.AllOf(definition.Rules).SelectMany(r => new[] { r.OnSuccess?.WorkflowName, r.OnFailure?.WorkflowName }).OfType<string>())
            {
                pending.Push(target);
            }
        }

        return result;
    }

    /// <summary>
    /// Every file of the template's identity (see <see cref="BundlePaths.IsIdentity"/>), keyed by
    /// <see cref="BundlePaths"/> so the keys are the same wherever the schemas and rules paths are.
    /// </summary>
    private SortedDictionary<string, string>? CollectFiles(string templateFolder, TemplateFiles files, List<Diagnostic> diagnostics)
    {
        var bundle = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, identity, tooMany) in files.Included)
        {
            foreach (var file in identity)
            {
                if (bundle.Count >= MaxBundleFiles)
                {
                    return TooMany();
                }

                var text = ReadLimited(file, diagnostics);
                if (text is null)
                {
                    return null;
                }

                bundle[file.Key!] = Normalise(text);
            }

            if (tooMany)
            {
                return TooMany();
            }
        }

        return bundle;

        SortedDictionary<string, string>? TooMany()
        {
            diagnostics.Add(new Diagnostic("CCT0111", DiagnosticSeverity.Error, $"The template has more than {MaxBundleFiles} files.", new SourceLocation(DisplayPath(templateFolder), 1, 1)));
            return null;
        }
    }

    private static string? ReadLimited(TemplateFiles files, string path, List<Diagnostic> diagnostics)
    {
        var file = files.Read(Path.GetFullPath(path));
        if (file is null)
        {
            diagnostics.Add(new Diagnostic("CCT0106", DiagnosticSeverity.Error, "The file cannot be read: it is not in the template.", new SourceLocation(files.DisplayPath(path), 1, 1)));
            return null;
        }

        return ReadLimited(file, diagnostics);
    }

    private static string? ReadLimited(TemplateFile file, List<Diagnostic> diagnostics)
    {
        if (file.ReadError is { } error)
        {
            diagnostics.Add(new Diagnostic("CCT0106", DiagnosticSeverity.Error, $"The file cannot be read: {error}", new SourceLocation(file.DisplayPath, 1, 1)));
            return null;
        }

        if (file.Text is null)
        {
            diagnostics.Add(new Diagnostic("CCT0111", DiagnosticSeverity.Error, $"The file is {file.Length} bytes; the limit is {MaxFileBytes}.", new SourceLocation(file.DisplayPath, 1, 1)));
            return null;
        }

        return file.Text;
    }

    /// <summary>Paths, sizes and write times of every template file: cheap, and changes whenever content can.</summary>
    public string Fingerprint()
    {
        var hash = new HashCode();
        foreach (var root in new[] { SchemasRoot, RulesRoot }.Where(Directory.Exists))
        {
            foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
            {
                hash.Add(file.FullName, StringComparer.Ordinal);
                hash.Add(file.Length);
                hash.Add(file.LastWriteTimeUtc.Ticks);
            }
        }

        return hash.ToHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The path relative to the content root with forward slashes, as diagnostics show it to the editor of the files;
    /// bundle keys are <see cref="BundlePaths"/>, which do not depend on where the folders are.
    /// </summary>
    public string DisplayPath(string path) => Path.GetRelativePath(_contentRoot, path).Replace('\\', '/');

    /// <summary>
    /// <paramref name="candidate"/> resolved against <paramref name="root"/> when it stays inside it, otherwise null.
    /// Absolute paths and URIs are refused unless <paramref name="requireRelative"/> is false.
    /// </summary>
    internal static string? ResolveInside(string root, string candidate, bool requireRelative = true)
    {
        if (string.IsNullOrWhiteSpace(candidate) || candidate.Contains("://", StringComparison.Ordinal) || (requireRelative && Path.IsPathRooted(candidate)))
        {
            return null;
        }

        var fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, candidate));
        return full.StartsWith(fullRoot, StringComparison.Ordinal) || full + Path.DirectorySeparatorChar == fullRoot ? full : null;
    }

    /// <summary>The manifest checks added with manifest format 1.1 (CCT0120-CCT0130).</summary>
    private static bool IsManifestCheck(string code) =>
        string.CompareOrdinal(code, "CCT0120") >= 0 && string.CompareOrdinal(code, "CCT0130") <= 0;

    /// <summary>
    /// Before manifest format 1.1 the evaluator read the exit reason and date from fields named exitReason and exitDate,
    /// gave cohort members the target outcome's status under the rule's name in camelCase and read the target share
    /// from targetShare. A bundle stored then still means that; newer manifests declare all of it.
    /// </summary>
    private static void ApplyConventionsOfStoredBundles(TemplateManifest manifest)
    {
        manifest.ParticipantFields ??= new ManifestParticipantFields { ExitReason = "exitReason", ExitDate = "exitDate" };
        if (manifest.CohortTarget is { } target)
        {
            target.TargetShareParameter ??= "targetShare";
            if (target.MemberStatusProperty is null && target.TargetOutcome?.Rule is [var first, .. var rest])
            {
                target.MemberStatusProperty = char.ToLowerInvariant(first) + rest;
            }
        }
    }

    private static readonly string[] RequiredSchemas = ["contract", "participant", "measurement"];

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemanticVersion();
}

/// <summary>A template folder's compiled workflows and the diagnostics their compilation reported.</summary>
internal sealed record CachedCompilation(string Key, TemplateCompilation Compilation, List<Diagnostic> Diagnostics);

/// <summary>
/// A template's workflows compiled, with what the manifest checks need of the compilation: the workflow
/// definitions as read and the rule type of each schema (the very instances the workflows were bound against).
/// </summary>
internal sealed record TemplateCompilation(List<TemplateWorkflow> Workflows, List<WorkflowDefinition> Definitions, Dictionary<string, RuleType> SchemaTypes);

/// <summary>What loading one template folder gave: the version (null on any error) and every diagnostic.</summary>
public sealed record TemplateLoadResult(string Folder, TemplateVersion? Version, IReadOnlyList<Diagnostic> Diagnostics);
