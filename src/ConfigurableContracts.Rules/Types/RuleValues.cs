using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConfigurableContracts.Rules.Types;

/// <summary>
/// Converts JSON into the engine's value model (null, bool, long, decimal, string, DateTime, lists, dictionaries),
/// guided by the input's <see cref="RuleType"/> so that a schema's "number" is decimal even when written as 3 and a
/// "date" string becomes a DateTime. Runs once per participant input, so it avoids any per-value reflection.
/// </summary>
public static class RuleValues
{
    /// <summary>Converts <paramref name="json"/> using <paramref name="type"/>; values that do not fit keep their JSON kind.</summary>
    public static object? FromJson(JsonElement json, RuleType type) => Convert(json, type, depth: 0);

    /// <summary>Converts <paramref name="json"/> using a type inferred from the value itself.</summary>
    public static object? FromJson(JsonElement json) => Convert(json, RuleType.Any, depth: 0);

    // Input documents come from files and requests; a pathological nesting must not exhaust the stack.
    private const int MaxDepth = 64;

    private static object? Convert(JsonElement json, RuleType type, int depth)
    {
        if (depth > MaxDepth) throw new InvalidOperationException("Input document is nested more than 64 levels deep.");
        switch (json.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.True:
                return Boxes.True;
            case JsonValueKind.False:
                return Boxes.False;
            case JsonValueKind.Number:
                // Plain numbers (up to 18 digits, no exponent) are read straight from their UTF-8 bytes into the
                // same value and scale GetDecimal gives; anything else takes JsonElement's own parsers.
                var raw = JsonMarshal.GetRawUtf8Value(json);
                if (TryParsePlainNumber(raw, out var magnitude, out var negative, out var scale))
                {
                    if (type.Kind != RuleTypeKind.Number && scale == 0) return negative ? -(long)magnitude : (long)magnitude;
                    return PlainDecimal(magnitude, negative, scale);
                }
                if (type.Kind == RuleTypeKind.Number) return json.GetDecimal();
                if (type.Kind == RuleTypeKind.Integer && json.TryGetInt64(out var integer)) return integer;
                if (IsIntegerLiteral(json) && json.TryGetInt64(out var inferred)) return inferred;
                return json.GetDecimal();
            case JsonValueKind.String:
                // The common date field is parsed from its UTF-8 bytes, without a string to throw away.
                if (type.Kind == RuleTypeKind.Date && !type.IsDateTime && TryParseDate(JsonMarshal.GetRawUtf8Value(json), out var rawDate)) return rawDate;
                var text = json.GetString()!;
                if (type.Kind == RuleTypeKind.Date)
                {
                    if (!type.IsDateTime && TryParseDate(text, out var date)) return date;
                    if (TryParseDateTime(text, out var instant)) return instant;
                    return text;
                }
                if (type.Kind == RuleTypeKind.Any)
                {
                    if (TryParseDate(text, out var date)) return date;
                    if (TryParseDateTime(text, out var instant)) return instant;
                }
                return text;
            case JsonValueKind.Array:
                var elementType = type.Kind == RuleTypeKind.Array ? type.ElementType ?? RuleType.Any : RuleType.Any;
                var list = new object?[json.GetArrayLength()];
                var index = 0;
                foreach (var item in json.EnumerateArray()) list[index++] = Convert(item, elementType, depth + 1);
                return list;
            default:
                if (type is { Kind: RuleTypeKind.Object, Properties: not null }) return ConvertRecord(json, type, depth);
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in json.EnumerateObject()) map[property.Name] = Convert(property.Value, RuleType.Any, depth + 1);
                return map;
        }
    }

    private static RuleRecord ConvertRecord(JsonElement json, RuleType type, int depth)
    {
        var shape = type.Shape!;
        var names = shape.Utf8Names;
        var values = new object?[names.Length];
        Array.Fill(values, RuleRecord.Absent);
        Dictionary<string, object?>? extra = null;
        var expected = 0;
        foreach (var property in json.EnumerateObject())
        {
            // Documents usually list their fields in the schema's order, so the next declared name is tried first;
            // names are compared as UTF-8 (escapes included), and only undeclared ones are decoded into strings.
            var index = MatchField(property, names, expected);
            if (index >= 0)
            {
                values[index] = Convert(property.Value, shape.Types[index], depth + 1);
                expected = index + 1;
                continue;
            }
            // Undeclared fields are kept for custom functions and messages, though rules cannot name them.
            extra ??= new Dictionary<string, object?>(StringComparer.Ordinal);
            extra[property.Name] = Convert(property.Value, RuleType.Any, depth + 1);
        }
        return new RuleRecord(shape, values, extra);
    }

    /// <summary>
    /// Which of <paramref name="names"/> (UTF-8, escapes compared as written) the property has, trying the next
    /// expected one first, as documents usually list fields in schema order; -1 for none.
    /// </summary>
    internal static int MatchField(JsonProperty property, byte[][] names, int expected)
    {
        if (expected < names.Length && property.NameEquals(names[expected])) return expected;
        for (var i = 0; i < names.Length; i++)
            if (i != expected && property.NameEquals(names[i])) return i;
        return -1;
    }

    /// <summary>
    /// Reads a JSON number written as an optional minus, at most 18 digits and an optional fraction (no exponent):
    /// its digits as one integer and the number of fraction digits as the scale, which is exactly the decimal
    /// <see cref="JsonElement.GetDecimal"/> parses, trailing zeros included. Minus zero is left to the general parser.
    /// </summary>
    internal static bool TryParsePlainNumber(ReadOnlySpan<byte> raw, out ulong magnitude, out bool negative, out byte scale)
    {
        magnitude = 0;
        scale = 0;
        negative = raw.Length > 0 && raw[0] == '-';
        var digits = 0;
        var fraction = false;
        for (var i = negative ? 1 : 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '.' && !fraction)
            {
                fraction = true;
                continue;
            }
            var digit = (uint)(c - '0');
            if (digit > 9 || ++digits > 18) return false;
            magnitude = magnitude * 10 + digit;
            if (fraction) scale++;
        }
        return digits > 0 && !(negative && magnitude == 0);
    }

    /// <summary>The decimal of a plain number's digits and scale (see <see cref="TryParsePlainNumber"/>).</summary>
    internal static decimal PlainDecimal(ulong magnitude, bool negative, byte scale) =>
        new((int)(uint)magnitude, (int)(magnitude >> 32), 0, negative, scale);

    /// <summary>True for a JSON number written without fraction or exponent (so inferred as integer).</summary>
    public static bool IsIntegerLiteral(JsonElement number) => JsonMarshal.GetRawUtf8Value(number).IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;

    /// <summary>Parses a calendar date <c>yyyy-MM-dd</c> (Kind Unspecified, midnight).</summary>
    /// <remarks>
    /// Hand-rolled rather than DateTime.TryParseExact: every date of every participant document goes through here,
    /// and so does every untyped string, which must be rejected quickly.
    /// </remarks>
    public static bool TryParseDate(string text, out DateTime date) => TryParseDate(text.AsSpan(), out date);

    /// <summary>The same for a JSON string's raw UTF-8 value, quotes included; false for anything else (escapes too).</summary>
    internal static bool TryParseDate(ReadOnlySpan<byte> raw, out DateTime date)
    {
        date = default;
        if (raw.Length != 12 || raw[0] != '"' || raw[11] != '"') return false;
        // A date is ASCII, where each UTF-8 byte is its character: widen the ten bytes and use the one parser.
        Span<char> text = stackalloc char[10];
        for (var i = 0; i < text.Length; i++) text[i] = (char)raw[i + 1];
        return TryParseDate(text, out date);
    }

    private static bool TryParseDate(ReadOnlySpan<char> text, out DateTime date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-') return false;
        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if (digit is < 0 or > 9) return false;
            value = value * 10 + digit;
        }
        return true;
    }

    /// <summary>Parses an RFC 3339 instant with offset or Z; the result is UTC.</summary>
    public static bool TryParseDateTime(string text, out DateTime instant)
    {
        // Only full instants with a time and an offset: "2022" or "12:00" are strings, not dates.
        if (text.Length >= 20 && text[10] is 'T' or 't'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var offset))
        {
            instant = offset.UtcDateTime;
            return true;
        }
        instant = default;
        return false;
    }
}

/// <summary>Pre-boxed values, so that boolean results do not allocate on every evaluation.</summary>
internal static class Boxes
{
    public static readonly object True = true;
    public static readonly object False = false;

    public static object Box(bool value) => value ? True : False;
}
