using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ConfigurableContracts.Rules;

/// <summary>
/// Where every value and property name of a JSON document starts, by JSON pointer: the one locator behind every
/// diagnostic about a JSON file (workflows, rule tests, manifests, schemas). A diagnostic about
/// <c>/workflows/1/file</c> names a line and column, and an offset inside a string can be traced through its escapes
/// (<c>\"</c>, <c>\u00e9</c>) to the exact column in the file. Lines are 1-based; columns are 1-based and count
/// characters as editors show them, not UTF-8 bytes.
/// </summary>
public sealed class JsonPositions
{
    /// <summary>The options template files are read with: comments skipped, trailing commas allowed.</summary>
    private static readonly JsonReaderOptions TemplateFileOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly string _path;
    private readonly byte[] _utf8;
    private readonly List<int> _lineStarts = [0];
    private readonly Dictionary<string, int> _valueStarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nameStarts = new(StringComparer.Ordinal);

    private JsonPositions(string path, byte[] utf8)
    {
        _path = path;
        _utf8 = utf8;
        for (var i = 0; i < utf8.Length; i++)
            if (utf8[i] == (byte)'\n') _lineStarts.Add(i + 1);
    }

    /// <summary>
    /// Indexes <paramref name="json"/> read as a template file (comments, trailing commas). Malformed text gives a
    /// locator that knows the values before the error: the file's parser reports the error with its own position.
    /// </summary>
    public static JsonPositions Index(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Index("", Encoding.UTF8.GetBytes(json), TemplateFileOptions);
    }

    /// <summary>Indexes <paramref name="utf8"/>, read with <paramref name="options"/>; <paramref name="path"/> names the file in <see cref="SourceLocation"/>s.</summary>
    public static JsonPositions Index(string path, byte[] utf8, JsonReaderOptions options)
    {
        var positions = new JsonPositions(path, utf8);
        var reader = new Utf8JsonReader(utf8, options);
        // Each container keeps its pointer and, for arrays, the index of the next element.
        var containers = new Stack<(string Pointer, bool IsArray, int NextIndex)>();
        string? pendingName = null;

        string NextPointer()
        {
            if (containers.Count == 0) return "";
            var (pointer, isArray, next) = containers.Pop();
            if (isArray)
            {
                containers.Push((pointer, true, next + 1));
                return pointer + "/" + next.ToString(CultureInfo.InvariantCulture);
            }
            containers.Push((pointer, false, next));
            return pointer + "/" + Escape(pendingName!);
        }

        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = reader.GetString();
                        positions._nameStarts[containers.Peek().Pointer + "/" + Escape(pendingName!)] = (int)reader.TokenStartIndex;
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var pointer = NextPointer();
                        positions._valueStarts[pointer] = (int)reader.TokenStartIndex;
                        containers.Push((pointer, reader.TokenType == JsonTokenType.StartArray, 0));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        containers.Pop();
                        break;
                    case JsonTokenType.Comment:
                        break;
                    default:
                        positions._valueStarts[NextPointer()] = (int)reader.TokenStartIndex;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // A malformed file is reported by its parser with its own position; the index just knows less.
        }

        return positions;
    }

    /// <summary>Escapes a property name as one JSON pointer segment (<c>~</c> → <c>~0</c>, <c>/</c> → <c>~1</c>).</summary>
    public static string Escape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }

    /// <summary>The location of the value at <paramref name="pointer"/>, or of the document start if unknown.</summary>
    public SourceLocation ValueLocation(string pointer) =>
        LocationOfByte(_valueStarts.TryGetValue(pointer, out var start) ? start : 0);

    /// <summary>The location of the property name whose value is at <paramref name="pointer"/>.</summary>
    public SourceLocation NameLocation(string pointer) =>
        _nameStarts.TryGetValue(pointer, out var start) ? LocationOfByte(start) : ValueLocation(pointer);

    /// <summary>
    /// The line and column of the value at <paramref name="jsonPointer"/>, or of its nearest located parent; 1:1 when
    /// not even the root value was read.
    /// </summary>
    public (int Line, int Column) Locate(string jsonPointer)
    {
        ArgumentNullException.ThrowIfNull(jsonPointer);
        for (var current = jsonPointer; ; current = current[..current.LastIndexOf('/')])
        {
            if (_valueStarts.TryGetValue(current, out var start))
            {
                var location = LocationOfByte(start);
                return (location.Line, location.Column);
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

    /// <summary>Maps offset <paramref name="charOffset"/> of the decoded string at <paramref name="pointer"/> to a file location.</summary>
    public SourceLocation StringLocation(string pointer, int charOffset)
    {
        if (!_valueStarts.TryGetValue(pointer, out var quote)) return LocationOfByte(0);
        var position = quote + 1;
        var decoded = 0;
        while (decoded < charOffset && position < _utf8.Length && _utf8[position] != (byte)'"')
        {
            if (_utf8[position] == (byte)'\\')
            {
                // \uXXXX is one UTF-16 unit written as six bytes; every other escape is two bytes for one char.
                position += _utf8[position + 1] == (byte)'u' ? 6 : 2;
                decoded++;
                continue;
            }
            var length = Utf8SequenceLength(_utf8[position]);
            decoded += length == 4 ? 2 : 1;
            position += length;
        }
        return LocationOfByte(position);
    }

    private static int Utf8SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xF0 => 4,
        >= 0xE0 => 3,
        >= 0xC0 => 2,
        _ => 1,
    };

    /// <summary>The location of the byte at <paramref name="offset"/>.</summary>
    public SourceLocation LocationOfByte(int offset)
    {
        offset = Math.Clamp(offset, 0, _utf8.Length);
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0) line = ~line - 1;
        var lineStart = _lineStarts[line];
        var column = Encoding.UTF8.GetCharCount(_utf8, lineStart, offset - lineStart) + 1;
        return new SourceLocation(_path, line + 1, column);
    }

    /// <summary>
    /// The line and column of the byte at <paramref name="offset"/> of <paramref name="utf8"/>, without indexing it:
    /// for a reader that stops at its first problem.
    /// </summary>
    public static (int Line, int Column) Position(ReadOnlySpan<byte> utf8, int offset)
    {
        offset = Math.Clamp(offset, 0, utf8.Length);
        var before = utf8[..offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }
}
