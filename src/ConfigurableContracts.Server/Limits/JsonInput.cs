using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Server.Limits;

/// <summary>
/// The one gate every JSON document from a client passes before anything reads it — request bodies and each line
/// of a bulk upload alike: valid UTF-8, well-formed, no deeper than <see cref="LimitOptions.MaxJsonDepth"/>, and
/// no property twice in one object. A duplicate key is refused rather than resolved because the schema guard,
/// the personal-identity-number scan and the stored text could otherwise each see a different value.
/// </summary>
/// <remarks>
/// Errors name the JSON path and the line and byte, never the parser's own message: that would quote the
/// client's bytes back, and a client's bytes may be a personal identity number.
/// </remarks>
public static class JsonInput
{
    /// <summary>Null when <paramref name="utf8"/> passes the gate; otherwise the first problem, at its JSON path.</summary>
    public static DocumentError? Check(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        if (!Utf8.IsValid(utf8))
        {
            return new DocumentError("$", "The body is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth + 2, CommentHandling = JsonCommentHandling.Disallow });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                if (frames.Count > 0 && frames[^1].Names is null && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
                {
                    frames[^1].Index++;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (frames.Count + 1 > maxDepth)
                        {
                            return new DocumentError(PathOf(frames), $"The JSON is nested deeper than {maxDepth} levels here.");
                        }

                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        EndValue(frames);
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames[^1];
                        if (ReadString(ref reader) is not { } name)
                        {
                            return new DocumentError(PathOf(frames), UnpairedSurrogate);
                        }

                        frame.Property = name;
                        if (!frame.Names!.Add(name))
                        {
                            return new DocumentError(PathOf(frames), "This property appears more than once in its object; send each property once.");
                        }

                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped && ReadString(ref reader) is null:
                        return new DocumentError(PathOf(frames), UnpairedSurrogate);
                    default:
                        EndValue(frames);
                        break;
                }
            }
        }
        catch (JsonException exception)
        {
            // Positions as every other diagnostic counts them (1-based, columns in characters); the parser's own words
            // are left out, since they quote the client's bytes.
            var syntax = JsonSyntaxError.Describe(utf8, new JsonReaderOptions { MaxDepth = maxDepth + 2 }, exception);
            var what = syntax.Kind == JsonSyntaxErrorKind.EndOfFile ? "ends before its last value is complete" : "is not valid JSON";
            return new DocumentError(PathOf(frames), $"The body {what} at line {syntax.Line}, column {syntax.Column}.");
        }

        return null;
    }

    /// <summary>
    /// One bulk line through <see cref="Check"/> and then parsed; the document is null exactly when the error is
    /// not, and the caller disposes it.
    /// </summary>
    public static (JsonDocument? Document, DocumentError? Error) Parse(string text, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(text);
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (Check(utf8, maxDepth) is { } error)
        {
            return (null, error);
        }

        return (JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth }), null);
    }

    private const string UnpairedSurrogate = "The text holds an escaped half of a UTF-16 surrogate pair (such as \\ud800) without its other half.";

    /// <summary>
    /// The token's text, or null when its escapes do not make text: <c>"\ud800"</c> is well-formed JSON, but no
    /// string holds it, and every later reader of the document would fail on it.
    /// </summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // A finished value no longer locates what comes next: an error after it is about the enclosing object.
    private static void EndValue(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].Names is not null)
        {
            frames[^1].Property = null;
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = "$";
        foreach (var frame in frames)
        {
            if (frame.Names is null)
            {
                path = frame.Index >= 0 ? JsonPath.Index(path, frame.Index) : path;
            }
            else if (frame.Property is not null)
            {
                path = JsonPath.Property(path, frame.Property);
            }
        }

        return path;
    }

    /// <summary>An open object (with the names seen so far and the current one) or array (with the current index).</summary>
    private sealed class Frame(HashSet<string>? names)
    {
        public HashSet<string>? Names { get; } = names;

        public string? Property { get; set; }

        public int Index { get; set; } = -1;
    }
}
