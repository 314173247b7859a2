using System.Text;
using System.Text.Json;

namespace ConfigurableContracts.Rules;

/// <summary>What kind of problem made a JSON file unreadable.</summary>
public enum JsonSyntaxErrorKind
{
    /// <summary>A character that JSON does not allow where it stands.</summary>
    Invalid,

    /// <summary>The file stops while an object, array, string or comment is still open: typically a cut-off file.</summary>
    EndOfFile,

    /// <summary>Objects and arrays nest deeper than the reader's limit.</summary>
    TooDeep,
}

/// <summary>
/// Why a template file is not JSON, in the one wording and position convention every reader of template files
/// (workflows, rule tests, manifests, schemas) reports: <see cref="Line"/> is 1-based and <see cref="Column"/> is
/// 1-based in characters, as editors count them, not in UTF-8 bytes as <see cref="JsonException.BytePositionInLine"/> does.
/// </summary>
/// <remarks>
/// System.Text.Json's own messages blame a cut-off file on depth ("Expected depth to be zero…"), which readers that
/// look for "depth" turned into "nested more than 64 levels"; and they end in "Path: $ | LineNumber: 0 |
/// BytePositionInLine: 5", a second, 0-based position format. This type re-reads the bytes to tell the cases apart.
/// </remarks>
public sealed record JsonSyntaxError(JsonSyntaxErrorKind Kind, string Message, int Line, int Column)
{
    /// <summary>System.Text.Json's own default when <see cref="JsonReaderOptions.MaxDepth"/> is 0.</summary>
    private const int DefaultMaxDepth = 64;

    /// <summary>
    /// Describes why <paramref name="utf8"/> failed to parse with <paramref name="options"/>, for a caller that caught
    /// <paramref name="exception"/> from <see cref="JsonDocument"/> or a <see cref="Utf8JsonReader"/>.
    /// </summary>
    public static JsonSyntaxError Describe(ReadOnlySpan<byte> utf8, JsonReaderOptions options, JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Find(utf8, options) is { } found) return found;

        // The bytes read fine, so the exception came from somewhere else (a converter); keep its position, in our form.
        return At(utf8, exception);
    }

    /// <inheritdoc cref="Describe(ReadOnlySpan{byte}, JsonReaderOptions, JsonException)"/>
    public static JsonSyntaxError Describe(string text, JsonReaderOptions options, JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Describe(Encoding.UTF8.GetBytes(text), options, exception);
    }

    /// <inheritdoc cref="Find(ReadOnlySpan{byte}, JsonReaderOptions)"/>
    public static JsonSyntaxError? Find(string text, JsonReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Find(Encoding.UTF8.GetBytes(text), options);
    }

    /// <summary>The first syntax error of <paramref name="utf8"/> read with <paramref name="options"/>, or null when it is valid JSON.</summary>
    public static JsonSyntaxError? Find(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var maxDepth = options.MaxDepth == 0 ? DefaultMaxDepth : options.MaxDepth;
        // One level more than allowed, so that this loop, not the reader, meets the container that is too deep.
        var scanOptions = options with { MaxDepth = maxDepth + 1 };

        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, new JsonReaderState(scanOptions));
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= maxDepth)
                {
                    var (line, column) = JsonPositions.Position(utf8, (int)reader.TokenStartIndex);
                    return new JsonSyntaxError(JsonSyntaxErrorKind.TooDeep, $"JSON is nested more than {maxDepth} levels deep.", line, column);
                }
            }

            return null;
        }
        catch (JsonException invalid)
        {
            return EndOfFile(utf8, scanOptions) ?? At(utf8, invalid);
        }
    }

    /// <summary>
    /// Reads again as if more bytes could follow: a reader that then only wants more data was cut off, and the
    /// containers still open say how much is missing.
    /// </summary>
    private static JsonSyntaxError? EndOfFile(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(options));
        var open = new Stack<JsonTokenType>();
        var sawValue = false;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push(reader.TokenType);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        break;
                }

                sawValue |= reader.TokenType is not JsonTokenType.Comment;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        int objects = 0, arrays = 0;
        foreach (var container in open)
        {
            if (container == JsonTokenType.StartObject) objects++;
            else arrays++;
        }

        var rest = utf8[(int)reader.BytesConsumed..].TrimStart(" \t\r\n"u8);
        var inside = rest.StartsWith("\""u8) ? " inside a string" : rest.StartsWith("/*"u8) ? " inside a comment" : "";
        if (open.Count == 0 && inside.Length == 0 && (sawValue || rest.Length > 0))
            return null; // A complete root value (or a scalar the final read rejected): not a matter of a missing end.

        var (line, column) = JsonPositions.Position(utf8, utf8.TrimEnd(" \t\r\n"u8).Length);
        string still;
        if (open.Count == 0)
            still = sawValue ? "" : ": the file holds no JSON value";
        else
            still = ": " + Join(Count(objects, "object", "objects"), Count(arrays, "array", "arrays")) + (open.Count == 1 ? " is" : " are") + " still open";
        return new JsonSyntaxError(JsonSyntaxErrorKind.EndOfFile, $"Unexpected end of file{inside}{still}.", line, column);
    }

    private static string? Count(int count, string one, string many) => count switch
    {
        0 => null,
        1 => "1 " + one,
        _ => $"{count} {many}",
    };

    private static string Join(string? first, string? second) => first is null ? second! : second is null ? first : $"{first} and {second}";

    private static JsonSyntaxError At(ReadOnlySpan<byte> utf8, JsonException exception)
    {
        var (line, column) = PositionInLine(utf8, (int)(exception.LineNumber ?? 0) + 1, (int)(exception.BytePositionInLine ?? 0));
        return new JsonSyntaxError(JsonSyntaxErrorKind.Invalid, "Not valid JSON: " + FirstSentences(exception.Message) + ".", line, column);
    }

    /// <summary>Converts System.Text.Json's 1-based line and 0-based byte in that line into our line and character column.</summary>
    private static (int Line, int Column) PositionInLine(ReadOnlySpan<byte> utf8, int line, int byteInLine)
    {
        var lineStart = 0;
        for (var current = 1; current < line; current++)
        {
            var newline = utf8[lineStart..].IndexOf((byte)'\n');
            if (newline < 0) break;
            lineStart += newline + 1;
        }

        return JsonPositions.Position(utf8, Math.Min(lineStart + Math.Max(byteInLine, 0), utf8.Length));
    }

    /// <summary>System.Text.Json's message without the position it appends (" LineNumber: 0 | BytePositionInLine: 5.") or its Path.</summary>
    private static string FirstSentences(string message)
    {
        foreach (var tail in new[] { " Path: ", " LineNumber: " })
        {
            var cut = message.IndexOf(tail, StringComparison.Ordinal);
            if (cut >= 0) message = message[..cut];
        }

        return message.TrimEnd().TrimEnd('.');
    }
}
