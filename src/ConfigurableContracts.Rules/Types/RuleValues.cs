using System.Globalization;
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
                if (type.Kind == RuleTypeKind.Number) return json.GetDecimal();
                if (type.Kind == RuleTypeKind.Integer && json.TryGetInt64(out var integer)) return integer;
                if (IsIntegerLiteral(json) && json.TryGetInt64(out var inferred)) return inferred;
                return json.GetDecimal();
            case JsonValueKind.String:
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
                var fields = type.Kind == RuleTypeKind.Object ? type.Properties : null;
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in json.EnumerateObject())
                {
                    var fieldType = fields is not null && fields.TryGetValue(property.Name, out var t) ? t : RuleType.Any;
                    map[property.Name] = Convert(property.Value, fieldType, depth + 1);
                }
                return map;
        }
    }

    /// <summary>True for a JSON number written without fraction or exponent (so inferred as integer).</summary>
    public static bool IsIntegerLiteral(JsonElement number)
    {
        var raw = number.GetRawText();
        return raw.AsSpan().IndexOfAny(".eE") < 0;
    }

    /// <summary>Parses a calendar date <c>yyyy-MM-dd</c> (Kind Unspecified, midnight).</summary>
    public static bool TryParseDate(string text, out DateTime date) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

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
