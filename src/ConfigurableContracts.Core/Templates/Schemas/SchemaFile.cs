using System.Text;
using System.Text.Json;
using ConfigurableContracts.Rules;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// One schema file read under the guard's limits: the text and a Newtonsoft tree that keeps line numbers for
/// diagnostics. Strict JSON is checked with System.Text.Json first, because Newtonsoft on its
/// own accepts comments, single quotes and unquoted names that no other part of the system would.
/// </summary>
internal sealed class SchemaFile
{
    private SchemaFile(string fullPath, string displayPath, string text, JToken root)
    {
        FullPath = fullPath;
        DisplayPath = displayPath;
        Text = text;
        Root = root;
    }

    public string FullPath { get; }

    public string DisplayPath { get; }

    public string Text { get; }

    /// <summary>Where each value of the file starts, by JSON pointer, for diagnostics.</summary>
    public JsonPositions Locator => field ??= JsonPositions.Index(Text);

    // Never disposed: the file lives for one load, and values handed out are clones.
    private JsonDocument? _exact;

    /// <summary>
    /// The value at <paramref name="pointer"/> as System.Text.Json reads it, numbers exactly as written: keyword values
    /// (limits, const, enum) are taken from here, not from the Newtonsoft tree, whose numbers are rounded decimals.
    /// </summary>
    public JsonElement ExactValue(string pointer)
    {
        // The text passed the strict syntax check already, so this parse cannot fail; depth is bounded by that check.
        var element = (_exact ??= JsonDocument.Parse(Text, new JsonDocumentOptions { MaxDepth = int.MaxValue })).RootElement;
        foreach (var segment in pointer.Split('/').Skip(1))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            element = element.ValueKind == JsonValueKind.Array
                ? element[int.Parse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture)]
                : element.GetProperty(name);
        }

        return element.Clone();
    }

    public JToken Root { get; }

    /// <summary>Set when the root declares an absolute <c>$id</c>: relative file references would then resolve to a remote URL.</summary>
    public bool HasAbsoluteId { get; set; }

    public static SchemaFile? Read(string fullPath, string displayPath, SchemaGuardOptions options, List<Diagnostic> diagnostics)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                diagnostics.Add(new(SchemaDiagnosticCodes.FileUnreadable, "schema file not found", displayPath, "", 1, 1));
                return null;
            }

            if (info.Length > options.MaxSchemaBytes)
            {
                diagnostics.Add(new(SchemaDiagnosticCodes.FileTooLarge,
                    $"schema file is {info.Length} bytes; the limit is {options.MaxSchemaBytes}", displayPath, "", 1, 1));
                return null;
            }

            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.FileUnreadable, $"schema file cannot be read: {e.Message}", displayPath, "", 1, 1));
            return null;
        }

        return Parse(bytes, fullPath, displayPath, options, diagnostics);
    }

    /// <summary>
    /// A schema file the template load has read already (<paramref name="file"/>, null when there is none), under the
    /// same limits and with the same diagnostics as reading it from disk.
    /// </summary>
    public static SchemaFile? Read(TemplateFile? file, string fullPath, string displayPath, SchemaGuardOptions options, List<Diagnostic> diagnostics)
    {
        if (file is null)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.FileUnreadable, "schema file not found", displayPath, "", 1, 1));
            return null;
        }

        if (file.ReadError is not null)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.FileUnreadable, $"schema file cannot be read: {file.ReadError}", displayPath, "", 1, 1));
            return null;
        }

        if (file.Length > options.MaxSchemaBytes || file.Bytes is null)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.FileTooLarge,
                $"schema file is {file.Length} bytes; the limit is {options.MaxSchemaBytes}", displayPath, "", 1, 1));
            return null;
        }

        return Parse(file.Bytes, fullPath, displayPath, options, diagnostics);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SchemaFile? Parse(ReadOnlySpan<byte> bytes, string fullPath, string displayPath, SchemaGuardOptions options, List<Diagnostic> diagnostics)
    {
        if (bytes.Length > options.MaxSchemaBytes)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.FileTooLarge,
                $"schema file is {bytes.Length} bytes; the limit is {options.MaxSchemaBytes}", displayPath, "", 1, 1));
            return null;
        }

        if (bytes.StartsWith("\uFEFF"u8))
            bytes = bytes[3..];
        if (!CheckSyntaxAndDepth(bytes, displayPath, options, diagnostics))
            return null;

        string text;
        try
        {
            // Strict: the lenient decoder turns bad bytes into U+FFFD, so a file an editor shows one way would load as another.
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.InvalidJson, "schema is not valid JSON: it is not valid UTF-8", displayPath, "", 1, 1));
            return null;
        }

        try
        {
            using var reader = new JsonTextReader(new StringReader(text))
            {
                // Keep strings as strings and decimals exact: Newtonsoft would otherwise turn "2022-01-01" into a date
                // and 0.1 into a double.
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
                MaxDepth = options.MaxSchemaDepth + 1,
            };
            var root = JToken.ReadFrom(reader, new JsonLoadSettings
            {
                LineInfoHandling = LineInfoHandling.Load,
                DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
            });
            return new SchemaFile(fullPath, displayPath, text, root);
        }
        catch (JsonReaderException e)
        {
            diagnostics.Add(new(SchemaDiagnosticCodes.InvalidJson, $"Not valid JSON: {FirstSentence(e.Message)}",
                displayPath, e.Path ?? "", e.LineNumber, e.LinePosition));
            return null;
        }
    }

    private static bool CheckSyntaxAndDepth(ReadOnlySpan<byte> bytes, string displayPath, SchemaGuardOptions options, List<Diagnostic> diagnostics)
    {
        var readerOptions = new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = options.MaxSchemaDepth + 2,
        };
        var reader = new Utf8JsonReader(bytes, readerOptions);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number && !reader.TryGetDecimal(out _))
                {
                    // Keyword values are compared exactly as decimals; a number beyond that range would otherwise
                    // be rounded or fail later with a misleading message.
                    var (line, column) = Rules.JsonPositions.Position(bytes, (int)reader.TokenStartIndex);
                    diagnostics.Add(new(SchemaDiagnosticCodes.InvalidKeywordValue,
                        $"number {Encoding.UTF8.GetString(reader.ValueSpan)} is beyond the range the guard compares exactly (about ±7.9e28)",
                        displayPath, "", line, column));
                    return false;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
                    && reader.CurrentDepth + 1 > options.MaxSchemaDepth)
                {
                    var (line, column) = Rules.JsonPositions.Position(bytes, (int)reader.TokenStartIndex);
                    diagnostics.Add(new(SchemaDiagnosticCodes.TooDeep,
                        $"schema nests objects and arrays deeper than {options.MaxSchemaDepth} levels", displayPath, "", line, column));
                    return false;
                }
            }

            return true;
        }
        catch (System.Text.Json.JsonException e)
        {
            var error = Rules.JsonSyntaxError.Describe(bytes, readerOptions, e);
            diagnostics.Add(new(error.Kind == Rules.JsonSyntaxErrorKind.TooDeep ? SchemaDiagnosticCodes.TooDeep : SchemaDiagnosticCodes.InvalidJson,
                error.Message, displayPath, "", error.Line, error.Column));
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        // Newtonsoft appends "Path 'x', line 4, position 9.", a position we already report as line:column.
        var cut = message.IndexOf(" Path '", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }
}
