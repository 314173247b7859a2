using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Rules;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// Walks the raw JSON of a template schema (and of the files its relative <c>$ref</c>s reach), refusing every keyword the guard does not enforce and compiling the rest into <see cref="SchemaNode"/>s.
/// Draft-07 tells validators to ignore unknown keywords; for hand-written contract schemas that would turn a typo
/// (<c>"requried"</c>) or a later-draft keyword (<c>"$defs"</c>) into a check that silently never happens.
/// </summary>
internal sealed class SchemaCompiler
{
    private static readonly HashSet<string> AnnotationsBesideRef = new(StringComparer.Ordinal)
    {
        "$ref", "definitions", "title", "description", "$comment", "default", "examples", "readOnly", "writeOnly", "$schema", "$id",
    };

    private static readonly HashSet<string> LaterDraftKeywords = new(StringComparer.Ordinal)
    {
        "$defs", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$vocabulary",
        "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "prefixItems",
        "minContains", "maxContains", "contentSchema",
    };

    /// <summary>
    /// Each level of $ref/allOf/... on the same value is a stack frame during validation; hand-written schemas use a
    /// handful, and a generated chain of thousands would overflow the stack of whoever validates.
    /// </summary>
    private const int MaxInPlaceDepth = 32;

    private readonly SchemaGuardOptions _options;
    private readonly string _templateRoot;
    private readonly List<Diagnostic> _diagnostics;
    private readonly Dictionary<string, SchemaFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<JToken, SchemaNode> _nodes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SchemaNode, (SchemaFile File, JToken Token)> _origins = [];
    private readonly Queue<(SchemaNode Node, SchemaFile File, JProperty Keyword, string Pointer)> _references = new();
    private readonly List<ResolvedReference> _resolved = [];

    /// <summary>The template's files when they were read already; null to read <c>$ref</c>'d files from disk.</summary>
    private readonly TemplateFiles? _source;

    public SchemaCompiler(SchemaGuardOptions options, string templateRoot, List<Diagnostic> diagnostics, TemplateFiles? source = null)
    {
        _source = source;
        _options = options;
        _templateRoot = templateRoot;
        _diagnostics = diagnostics;
    }

    /// <summary>Every file the compiled schema uses, by full path.</summary>
    public IReadOnlyDictionary<string, SchemaFile> Files => _files;

    /// <summary>Where each <c>$ref</c> of those files led, as this compiler resolved it.</summary>
    public IReadOnlyList<ResolvedReference> References => _resolved;

    public SchemaNode? Compile(SchemaFile root)
    {
        _files[root.FullPath] = root;
        var node = CompileFile(root);
        while (_references.Count > 0)
        {
            var (referrer, file, keyword, pointer) = _references.Dequeue();
            referrer.Reference = ResolveReference(file, keyword, pointer);
        }

        if (_diagnostics.Count == 0)
            FindInPlaceCycles();
        return _diagnostics.Count > 0 ? null : node;
    }

    private SchemaNode CompileFile(SchemaFile file)
    {
        if (file.Root is JObject rootObject && rootObject.TryGetValue("$id", StringComparison.Ordinal, out var id)
            && id.Type == JTokenType.String && ((string)id!).Contains(':', StringComparison.Ordinal))
        {
            file.HasAbsoluteId = true;
        }

        return CompileSchema(file.Root, file, "");
    }

    private SchemaNode CompileSchema(JToken token, SchemaFile file, string pointer)
    {
        if (_nodes.TryGetValue(token, out var existing))
            return existing;

        var node = new SchemaNode(file.DisplayPath, pointer);
        _nodes[token] = node;
        _origins[node] = (file, token);

        if (token.Type == JTokenType.Boolean)
        {
            node.Constant = (bool)token;
            return node;
        }

        if (token is not JObject schema)
        {
            Report(file, token, pointer, SchemaDiagnosticCodes.InvalidKeywordValue,
                $"a schema must be an object or a boolean, found {Describe(token)} at {PointerText(pointer)}");
            return node;
        }

        var isRoot = ReferenceEquals(token, file.Root);
        if (schema.ContainsKey("$ref"))
        {
            foreach (var sibling in schema.Properties())
            {
                if (!AnnotationsBesideRef.Contains(sibling.Name))
                {
                    Report(file, sibling, pointer, SchemaDiagnosticCodes.IgnoredBesideRef,
                        $"keyword '{sibling.Name}' beside '$ref' at {PointerText(pointer)} is ignored by draft-07; combine them with allOf instead");
                }
            }
        }

        foreach (var keyword in schema.Properties())
            CompileKeyword(node, keyword, file, pointer, isRoot);

        if (!schema.ContainsKey("if"))
        {
            foreach (var branch in schema.Properties().Where(p => p.Name is "then" or "else"))
            {
                Report(file, branch, Append(pointer, branch.Name), SchemaDiagnosticCodes.UnsupportedKeyword,
                    $"keyword '{branch.Name}' at {PointerText(pointer)} has no effect without 'if'");
            }
        }

        return node;
    }

    private void CompileKeyword(SchemaNode node, JProperty keyword, SchemaFile file, string pointer, bool isRoot)
    {
        var value = keyword.Value;
        var at = Append(pointer, keyword.Name);
        switch (keyword.Name)
        {
            case "$schema":
                if (!isRoot)
                {
                    Report(file, keyword, at, SchemaDiagnosticCodes.UnsupportedDialect,
                        $"keyword '$schema' is only allowed at the root of a schema file, found at {PointerText(pointer)}");
                }
                else if (value.Type != JTokenType.String
                    || (string)value! is not ("http://json-schema.org/draft-07/schema#" or "http://json-schema.org/draft-07/schema"))
                {
                    Report(file, keyword, at, SchemaDiagnosticCodes.UnsupportedDialect,
                        $"keyword '$schema' must name draft-07 (\"http://json-schema.org/draft-07/schema#\"), found {Abbreviate(value)}");
                }

                break;
            case "$id":
                if (!isRoot)
                {
                    Report(file, keyword, at, SchemaDiagnosticCodes.RefusedId,
                        $"keyword '$id' is only supported at the root of a schema file (found at {PointerText(pointer)}): below the root it changes how $refs resolve");
                }
                else
                {
                    RequireString(keyword, file, at);
                }

                break;
            case "$ref":
                if (RequireString(keyword, file, at))
                    _references.Enqueue((node, file, keyword, pointer));
                break;
            case "$comment" or "title" or "description":
                RequireString(keyword, file, at);
                break;
            case "default" or "examples":
                break;
            case "readOnly" or "writeOnly" or "uniqueItems":
                if (value.Type != JTokenType.Boolean)
                    ReportValue(file, keyword, at, "a boolean");
                else if (keyword.Name == "uniqueItems")
                    node.UniqueItems = (bool)value;
                break;
            case "definitions":
                CompileSchemaMap(keyword, file, at);
                break;
            case "type":
                CompileType(node, keyword, file, at);
                break;
            case "enum":
                if (value is JArray values)
                    node.Enum = values.Select((_, i) => file.ExactValue(Append(at, i))).ToArray();
                else
                    ReportValue(file, keyword, at, "an array");
                break;
            case "const":
                node.Const = file.ExactValue(at);
                break;
            case "minimum":
                node.Minimum = Number(keyword, file, at);
                break;
            case "maximum":
                node.Maximum = Number(keyword, file, at);
                break;
            case "exclusiveMinimum":
                node.ExclusiveMinimum = Number(keyword, file, at);
                break;
            case "exclusiveMaximum":
                node.ExclusiveMaximum = Number(keyword, file, at);
                break;
            case "multipleOf":
                node.MultipleOf = Number(keyword, file, at);
                if (node.MultipleOf is { Approximate: <= 0 })
                    ReportValue(file, keyword, at, "a number greater than 0");
                break;
            case "minLength":
                node.MinLength = Count(keyword, file, at);
                break;
            case "maxLength":
                node.MaxLength = Count(keyword, file, at);
                break;
            case "minItems":
                node.MinItems = Count(keyword, file, at);
                break;
            case "maxItems":
                node.MaxItems = Count(keyword, file, at);
                break;
            case "minProperties":
                node.MinProperties = Count(keyword, file, at);
                break;
            case "maxProperties":
                node.MaxProperties = Count(keyword, file, at);
                break;
            case "pattern":
                if (RequireString(keyword, file, at))
                    node.Pattern = CompilePattern((string)value!, keyword, file, at);
                break;
            case "format":
                if (RequireString(keyword, file, at))
                {
                    var format = (string)value!;
                    if (DraftFormats.IsSupported(format))
                    {
                        node.Format = format;
                    }
                    else
                    {
                        Report(file, keyword, at, SchemaDiagnosticCodes.UnsupportedFormat,
                            $"format '{format}' at {PointerText(pointer)} is not enforced by the guard; supported formats: date, date-time");
                    }
                }

                break;
            case "properties":
                node.Properties = CompileSchemaMap(keyword, file, at);
                break;
            case "patternProperties":
                node.PatternProperties = CompilePatternProperties(keyword, file, at);
                break;
            case "additionalProperties":
                node.AdditionalProperties = CompileSchema(value, file, at);
                break;
            case "propertyNames":
                node.PropertyNames = CompileSchema(value, file, at);
                break;
            case "required":
                node.Required = StringArray(keyword, file, at);
                break;
            case "dependencies":
                CompileDependencies(node, keyword, file, at);
                break;
            case "items":
                if (value is JArray tuple)
                    node.TupleItems = tuple.Select((item, i) => CompileSchema(item, file, Append(at, i))).ToArray();
                else
                    node.Items = CompileSchema(value, file, at);
                break;
            case "additionalItems":
                node.AdditionalItems = CompileSchema(value, file, at);
                break;
            case "contains":
                node.Contains = CompileSchema(value, file, at);
                break;
            case "allOf":
                node.AllOf = SchemaArray(keyword, file, at);
                break;
            case "anyOf":
                node.AnyOf = SchemaArray(keyword, file, at);
                break;
            case "oneOf":
                node.OneOf = SchemaArray(keyword, file, at);
                break;
            case "not":
                node.Not = CompileSchema(value, file, at);
                break;
            case "if":
                node.If = CompileSchema(value, file, at);
                break;
            case "then":
                node.Then = CompileSchema(value, file, at);
                break;
            case "else":
                node.Else = CompileSchema(value, file, at);
                break;
            case "contentMediaType" or "contentEncoding":
                Report(file, keyword, at, SchemaDiagnosticCodes.UnsupportedKeyword,
                    $"keyword '{keyword.Name}' at {PointerText(pointer)} is only an annotation in draft-07 and would not be enforced");
                break;
            default:
                var reason = LaterDraftKeywords.Contains(keyword.Name)
                    ? "belongs to a later JSON Schema draft and would be ignored by draft-07"
                    : "is not a draft-07 keyword the guard enforces; draft-07 ignores unknown keywords, so it would check nothing";
                Report(file, keyword, at, SchemaDiagnosticCodes.UnsupportedKeyword,
                    $"keyword '{keyword.Name}' at {PointerText(pointer)} {reason}");
                break;
        }
    }

    private void CompileType(SchemaNode node, JProperty keyword, SchemaFile file, string at)
    {
        var names = keyword.Value switch
        {
            JValue { Type: JTokenType.String } single => [(string)single!],
            JArray many when many.Count > 0 && many.All(t => t.Type == JTokenType.String) => many.Select(t => (string)t!).ToArray(),
            _ => null,
        };
        if (names is null || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            ReportValue(file, keyword, at, "a type name or a non-empty array of distinct type names");
            return;
        }

        foreach (var name in names)
        {
            InstanceTypes type = name switch
            {
                "null" => InstanceTypes.Null,
                "boolean" => InstanceTypes.Boolean,
                "object" => InstanceTypes.Object,
                "array" => InstanceTypes.Array,
                "number" => InstanceTypes.Number,
                "integer" => InstanceTypes.Integer,
                "string" => InstanceTypes.String,
                _ => InstanceTypes.None,
            };
            if (type == InstanceTypes.None)
            {
                Report(file, keyword, at, SchemaDiagnosticCodes.InvalidKeywordValue,
                    $"keyword 'type' at {PointerText(at)} names unknown type '{name}'");
            }

            node.Types |= type;
        }

        node.TypeText = string.Join(" or ", names);
    }

    private Dictionary<string, SchemaNode>? CompileSchemaMap(JProperty keyword, SchemaFile file, string at)
    {
        if (keyword.Value is not JObject map)
        {
            ReportValue(file, keyword, at, "an object whose values are schemas");
            return null;
        }

        var compiled = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        foreach (var entry in map.Properties())
            compiled[entry.Name] = CompileSchema(entry.Value, file, Append(at, entry.Name));
        return compiled;
    }

    private List<(CompiledPattern, SchemaNode)>? CompilePatternProperties(JProperty keyword, SchemaFile file, string at)
    {
        if (keyword.Value is not JObject map)
        {
            ReportValue(file, keyword, at, "an object whose values are schemas");
            return null;
        }

        var compiled = new List<(CompiledPattern, SchemaNode)>();
        foreach (var entry in map.Properties())
        {
            var pattern = CompilePattern(entry.Name, entry, file, Append(at, entry.Name));
            var schema = CompileSchema(entry.Value, file, Append(at, entry.Name));
            if (pattern is not null)
                compiled.Add((pattern, schema));
        }

        return compiled;
    }

    private void CompileDependencies(SchemaNode node, JProperty keyword, SchemaFile file, string at)
    {
        if (keyword.Value is not JObject map)
        {
            ReportValue(file, keyword, at, "an object");
            return;
        }

        foreach (var entry in map.Properties())
        {
            if (entry.Value is JArray)
            {
                var names = StringArray(entry, file, Append(at, entry.Name));
                if (names is not null)
                    (node.DependentRequired ??= new(StringComparer.Ordinal))[entry.Name] = names;
            }
            else
            {
                (node.DependentSchemas ??= new(StringComparer.Ordinal))[entry.Name] = CompileSchema(entry.Value, file, Append(at, entry.Name));
            }
        }
    }

    private SchemaNode[]? SchemaArray(JProperty keyword, SchemaFile file, string at)
    {
        if (keyword.Value is not JArray { Count: > 0 } array)
        {
            ReportValue(file, keyword, at, "a non-empty array of schemas");
            return null;
        }

        return array.Select((item, i) => CompileSchema(item, file, Append(at, i))).ToArray();
    }

    private string[]? StringArray(JProperty keyword, SchemaFile file, string at)
    {
        if (keyword.Value is not JArray array || array.Any(t => t.Type != JTokenType.String))
        {
            ReportValue(file, keyword, at, "an array of strings");
            return null;
        }

        var names = array.Select(t => (string)t!).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            ReportValue(file, keyword, at, "an array of distinct strings");
            return null;
        }

        return names;
    }

    private CompiledPattern? CompilePattern(string source, JToken where, SchemaFile file, string at)
    {
        // The timeout bounds catastrophic backtracking on long strings; EcmaPattern keeps JavaScript's meaning of \d, \w, \s.
        try
        {
            return new CompiledPattern(EcmaPattern.Compile(source, _options.RegexTimeout), source);
        }
        catch (ArgumentException e)
        {
            Report(file, where, at, SchemaDiagnosticCodes.InvalidPattern,
                $"pattern {Abbreviate(new JValue(source))} at {PointerText(at)} is not a regular expression the guard can run: {e.Message}");
            return null;
        }
    }

    private NumberLimit? Number(JProperty keyword, SchemaFile file, string at)
    {
        var value = keyword.Value;
        if (value.Type is not (JTokenType.Integer or JTokenType.Float))
        {
            ReportValue(file, keyword, at, value.Type == JTokenType.Boolean && keyword.Name.StartsWith("exclusive", StringComparison.Ordinal)
                ? "a number (the boolean form belongs to draft-04)"
                : "a number");
            return null;
        }

        // The file's own text of the number: Newtonsoft's tree holds it as a decimal, rounded past 28 places.
        var element = file.ExactValue(at);
        var text = element.GetRawText();
        decimal? exact = ExactNumber.TryGetDecimal(element, out var parsed) ? parsed : null;
        return new NumberLimit(exact, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), text);
    }

    private long? Count(JProperty keyword, SchemaFile file, string at)
    {
        var value = keyword.Value;
        // Read exactly from the file's text, so that 2.0000000000000000000000000000001 is no count and an integer
        // beyond decimal's range is a diagnostic, not an overflow exception.
        long? count = value.Type is JTokenType.Integer or JTokenType.Float
            && ExactNumber.TryGetDecimal(file.ExactValue(at), out var number)
            && number >= 0 && number <= long.MaxValue && number == decimal.Truncate(number)
                ? (long)number
                : null;
        if (count is null)
            ReportValue(file, keyword, at, "a non-negative integer");
        return count;
    }

    private bool RequireString(JProperty keyword, SchemaFile file, string at)
    {
        if (keyword.Value.Type == JTokenType.String)
            return true;
        ReportValue(file, keyword, at, "a string");
        return false;
    }

    private SchemaNode? ResolveReference(SchemaFile file, JProperty keyword, string pointer)
    {
        var reference = (string)keyword.Value!;
        var at = Append(pointer, "$ref");
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var location = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? "" : reference[(hash + 1)..];

        var target = file;
        if (location.Length > 0)
        {
            target = ResolveFile(file, keyword, at, reference, location)!;
            if (target is null)
                return null;
        }

        if (fragment.Length > 0 && fragment[0] != '/')
        {
            Report(file, keyword, at, SchemaDiagnosticCodes.RefusedReference,
                $"$ref \"{reference}\" at {PointerText(pointer)} uses a plain-name fragment; only JSON-pointer fragments (#/definitions/...) are supported");
            return null;
        }

        var decoded = Uri.UnescapeDataString(fragment);
        var token = target.Root;
        foreach (var segment in decoded.Split('/').Skip(1))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            token = token switch
            {
                JObject obj when obj.TryGetValue(name, StringComparison.Ordinal, out var child) => child,
                JArray array when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => null!,
            };
            if (token is null)
            {
                Report(file, keyword, at, SchemaDiagnosticCodes.UnresolvedReference,
                    $"$ref \"{reference}\" at {PointerText(pointer)} points to nothing in {target.DisplayPath}");
                return null;
            }
        }

        _resolved.Add(new ResolvedReference(file.FullPath, pointer, target.FullPath, decoded));
        return CompileSchema(token, target, decoded);
    }

    private SchemaFile? ResolveFile(SchemaFile file, JProperty keyword, string at, string reference, string location)
    {
        string? refusal = null;
        if (file.HasAbsoluteId)
            refusal = "resolves against the absolute $id of its file, i.e. a remote URL";
        else if (location.Contains(':', StringComparison.Ordinal))
            refusal = "names a URL or a drive; only files inside the template folder may be referenced";
        else if (location.StartsWith('/') || location.Contains('\\', StringComparison.Ordinal))
            refusal = "is an absolute path or uses backslashes; write a relative path with '/'";
        else if (location.Contains('?', StringComparison.Ordinal) || location.Contains('%', StringComparison.Ordinal))
            refusal = "uses a query or percent-encoding, which the guard does not resolve";

        var fullPath = "";
        if (refusal is null)
        {
            try
            {
                fullPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file.FullPath)!, location));
                if (!fullPath.StartsWith(_templateRoot, StringComparison.Ordinal)
                    || (_source?.PassesThroughLink(fullPath, _templateRoot) ?? PassesThroughLink(fullPath, _templateRoot)))
                    refusal = "leaves the template folder";
            }
            catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException or UnauthorizedAccessException)
            {
                refusal = $"is not a usable file path ({e.Message})";
            }
        }

        if (refusal is not null)
        {
            Report(file, keyword, at, SchemaDiagnosticCodes.RefusedReference, $"$ref \"{reference}\" {refusal}");
            return null;
        }

        if (_files.TryGetValue(fullPath, out var known))
            return known;
        if (_files.Count >= _options.MaxSchemaFiles)
        {
            Report(file, keyword, at, SchemaDiagnosticCodes.RefusedReference,
                $"$ref \"{reference}\" would bring in more than {_options.MaxSchemaFiles} schema files");
            return null;
        }

        if (!(_source?.Exists(fullPath) ?? File.Exists(fullPath)))
        {
            Report(file, keyword, at, SchemaDiagnosticCodes.UnresolvedReference, $"$ref \"{reference}\" names a file that does not exist");
            return null;
        }

        var displayPath = Path.Combine(Path.GetDirectoryName(file.DisplayPath) ?? "", location);
        var loaded = _source is null
            ? SchemaFile.Read(fullPath, displayPath, _options, _diagnostics)
            : SchemaFile.Read(_source.Find(fullPath), fullPath, displayPath, _options, _diagnostics);
        if (loaded is null)
            return null;
        _files[fullPath] = loaded;
        CompileFile(loaded);
        return loaded;
    }

    /// <summary>A symbolic link inside the folder could point anywhere; the guard does not follow any.</summary>
    internal static bool PassesThroughLink(string fullPath, string templateRoot)
    {
        for (var path = fullPath; path.Length > templateRoot.Length; path = Path.GetDirectoryName(path)!)
        {
            FileSystemInfo info = File.Exists(path) ? new FileInfo(path) : new DirectoryInfo(path);
            if (info.Exists && info.LinkTarget is not null)
                return true;
        }

        return false;
    }

    /// <summary>
    /// <c>{"$ref": "#"}</c> at the root, or two definitions that refer to each other through allOf, would make
    /// validation recurse forever on the same value; such schemas are refused at load.
    /// </summary>
    private void FindInPlaceCycles()
    {
        var state = new Dictionary<SchemaNode, bool>(); // false: on the current path, true: finished
        var depth = new Dictionary<SchemaNode, int>();
        foreach (var start in _nodes.Values)
        {
            if (state.ContainsKey(start))
                continue;
            var stack = new Stack<(SchemaNode Node, IEnumerator<SchemaNode> Next)>();
            state[start] = false;
            stack.Push((start, start.InPlaceApplicators().GetEnumerator()));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Peek();
                if (!next.MoveNext())
                {
                    state[node] = true;
                    stack.Pop();
                    depth[node] = 1 + node.InPlaceApplicators().Select(c => depth.GetValueOrDefault(c)).DefaultIfEmpty(0).Max();
                    if (depth[node] > MaxInPlaceDepth)
                    {
                        var (file, token) = _origins[node];
                        Report(file, token, node.Pointer, SchemaDiagnosticCodes.ReferenceCycle,
                            $"schema at {PointerText(node.Pointer)} chains more than {MaxInPlaceDepth} $ref/allOf/anyOf/oneOf/not/if levels on one value");
                        return;
                    }

                    continue;
                }

                var child = next.Current;
                if (!state.TryGetValue(child, out var finished))
                {
                    state[child] = false;
                    stack.Push((child, child.InPlaceApplicators().GetEnumerator()));
                }
                else if (!finished)
                {
                    var (file, token) = _origins[child];
                    Report(file, token, child.Pointer, SchemaDiagnosticCodes.ReferenceCycle,
                        $"schema at {PointerText(child.Pointer)} refers back to itself without descending into the document, so validation would never end");
                    return;
                }
            }
        }
    }

    private void ReportValue(SchemaFile file, JProperty keyword, string at, string expected)
    {
        Report(file, keyword, at, SchemaDiagnosticCodes.InvalidKeywordValue,
            $"keyword '{keyword.Name}' at {PointerText(at)} must be {expected}, found {Abbreviate(keyword.Value)}");
    }

    private void Report(SchemaFile file, JToken where, string pointer, string code, string message)
    {
        // Newtonsoft's line info marks where a token ends; editors and every other diagnostic point at where the
        // value starts, so the position comes from the file's own index of pointers when it has this one.
        var (line, column) = file.Locator.Locate(pointer);
        if ((line, column) == (1, 1) && pointer.Length > 0 && where is IJsonLineInfo info && info.HasLineInfo())
        {
            (line, column) = (info.LineNumber, info.LinePosition);
        }

        _diagnostics.Add(new Diagnostic(code, message, file.DisplayPath, PointerText(pointer), line, column));
    }

    private static string Append(string pointer, string name) =>
        pointer + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Append(string pointer, int index) => pointer + "/" + index.ToString(CultureInfo.InvariantCulture);

    private static string PointerText(string pointer) => pointer.Length == 0 ? "/" : pointer;

    private static string Describe(JToken token) => token.Type.ToString().ToLowerInvariant();

    private static string Abbreviate(JToken value)
    {
        var text = value.ToString(Formatting.None);
        return text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
    }
}
