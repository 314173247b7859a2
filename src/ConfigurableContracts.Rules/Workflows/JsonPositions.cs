using System.Text;
using System.Text.Json;

namespace ConfigurableContracts.Rules.Workflows;

/// <summary>
/// Where every value and property name of a JSON document starts, by JSON pointer, so that a diagnostic about
/// <c>/0/Rules/3/Expression</c> can name a line and column, and an offset inside a string can be traced through
/// its escapes (<c>\"</c>, <c>\u00e9</c>) to the exact column in the file.
/// </summary>
internal sealed class JsonPositions
{
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

    /// <summary>Indexes a document that has already been parsed successfully with the same options.</summary>
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
                return pointer + "/" + next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            containers.Push((pointer, false, next));
            return pointer + "/" + Escape(pendingName!);
        }

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
        return positions;
    }

    public static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The location of the value at <paramref name="pointer"/>, or of the document start if unknown.</summary>
    public SourceLocation ValueLocation(string pointer) =>
        LocationOfByte(_valueStarts.TryGetValue(pointer, out var start) ? start : 0);

    /// <summary>The location of the property name whose value is at <paramref name="pointer"/>.</summary>
    public SourceLocation NameLocation(string pointer) =>
        _nameStarts.TryGetValue(pointer, out var start) ? LocationOfByte(start) : ValueLocation(pointer);

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

    /// <summary>1-based line, and column counted in UTF-16 characters as editors show them.</summary>
    public SourceLocation LocationOfByte(int offset)
    {
        offset = Math.Clamp(offset, 0, _utf8.Length);
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0) line = ~line - 1;
        var lineStart = _lineStarts[line];
        var column = Encoding.UTF8.GetCharCount(_utf8, lineStart, offset - lineStart) + 1;
        return new SourceLocation(_path, line + 1, column);
    }
}
