using System.Text;
using System.Text.Json;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// Maps JSON pointers in a file to the line and column where the value starts, so a diagnostic about
/// <c>/workflows/1/file</c> points the designer's editor at the right character.
/// </summary>
public sealed class JsonLocator
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    private JsonLocator()
    {
    }

    /// <summary>Indexes every value of <paramref name="json"/>; returns an empty locator for malformed text.</summary>
    public static JsonLocator Index(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var locator = new JsonLocator();
        var bytes = Encoding.UTF8.GetBytes(json);
        var lineStarts = LineStarts(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new List<string>();
        var arrayIndexes = new Stack<int>();
        string? pendingProperty = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString();
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        arrayIndexes.Pop();
                        if (path.Count > 0)
                        {
                            path.RemoveAt(path.Count - 1);
                        }

                        continue;
                }

                // A value starts here: name it by its property or its index in the enclosing array.
                string? segment = null;
                if (pendingProperty is not null)
                {
                    segment = Escape(pendingProperty);
                    pendingProperty = null;
                }
                else if (arrayIndexes.Count > 0 && arrayIndexes.Peek() >= 0)
                {
                    var index = arrayIndexes.Pop();
                    arrayIndexes.Push(index + 1);
                    segment = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var pointer = segment is null ? "" : Pointer(path, segment);
                locator._positions[pointer] = Position(lineStarts, bytes, (int)reader.TokenStartIndex);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (segment is not null)
                    {
                        path.Add(segment);
                    }

                    arrayIndexes.Push(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                }
            }
        }
        catch (JsonException)
        {
            // A malformed file is reported by its parser with its own position; the locator just knows less.
        }

        return locator;
    }

    /// <summary>The 1-based line and column of the value at <paramref name="jsonPointer"/>, or of its nearest located parent.</summary>
    public (int Line, int Column) Locate(string jsonPointer)
    {
        ArgumentNullException.ThrowIfNull(jsonPointer);
        for (var current = jsonPointer; ; current = current[..current.LastIndexOf('/')])
        {
            if (_positions.TryGetValue(current, out var position))
            {
                return position;
            }

            if (current.Length == 0)
            {
                return (1, 1);
            }
        }
    }

    /// <summary>
    /// The position of the value at a System.Text.Json path (<c>$.workflows[1].file</c>, <c>$['a.b']</c>), as a
    /// <see cref="JsonException.Path"/> names it, with the JSON pointer it stands for.
    /// </summary>
    public (string Pointer, int Line, int Column) LocatePath(string? jsonPath)
    {
        var pointer = new StringBuilder();
        var path = jsonPath is ['$', .. var rest] ? rest : "";
        for (var i = 0; i < path.Length;)
        {
            string segment;
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                segment = path[(i + 1)..(end < 0 ? path.Length : end)];
                i = end < 0 ? path.Length : end;
            }
            else if (path.AsSpan(i).StartsWith("['", StringComparison.Ordinal))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }

                segment = path[(i + 2)..end];
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    break;
                }

                segment = path[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                break;
            }

            pointer.Append('/').Append(Escape(segment));
        }

        var (line, column) = Locate(pointer.ToString());
        return (pointer.ToString(), line, column);
    }

    private static string Pointer(List<string> path, string segment) =>
        path.Count == 0 ? "/" + segment : "/" + string.Join('/', path) + "/" + segment;

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static List<int> LineStarts(byte[] bytes)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static (int Line, int Column) Position(List<int> lineStarts, byte[] bytes, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        // Columns count characters, not UTF-8 bytes, as editors do.
        var column = Encoding.UTF8.GetCharCount(bytes, lineStarts[line], offset - lineStarts[line]) + 1;
        return (line + 1, column);
    }
}
