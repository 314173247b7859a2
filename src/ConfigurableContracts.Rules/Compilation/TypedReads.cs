using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// How the typed tier reads a value of a declared type, from the value model (a boxed value) or straight from JSON.
/// Each read succeeds only where the general closures would see exactly that value: a JSON read gives what
/// <see cref="RuleValues"/> would have converted, and anything else (null, absent, another kind, another shape)
/// fails, so the rule falls back to the closures, which explain it. Called from the typed tier's compiled code.
/// </summary>
internal static class TypedReads
{
    // ---- the value model ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Long(object? value, out long result)
    {
        if (value is long l)
        {
            result = l;
            return true;
        }
        result = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Decimal(object? value, out decimal result)
    {
        if (value is decimal d)
        {
            result = d;
            return true;
        }
        result = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Boolean(object? value, out bool result)
    {
        if (value is bool b)
        {
            result = b;
            return true;
        }
        result = false;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Date(object? value, out DateTime result)
    {
        if (value is DateTime d)
        {
            result = d;
            return true;
        }
        result = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TimeSpan(object? value, out TimeSpan result)
    {
        if (value is TimeSpan t)
        {
            result = t;
            return true;
        }
        result = default;
        return false;
    }

    /// <summary>A string or null (absent and null read alike).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool String(object? value, out string? result)
    {
        result = value as string;
        return result is not null || value is null || ReferenceEquals(value, RuleRecord.Absent);
    }

    /// <summary>An object converted with exactly this shape; never null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Record(object? value, ObjectShape shape, out RuleRecord result)
    {
        if (value is RuleRecord record && ReferenceEquals(record.Shape, shape))
        {
            result = record;
            return true;
        }
        result = null!;
        return false;
    }

    /// <summary>An array as the converter builds it; never null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Array(object? value, out object?[] result)
    {
        if (value is object?[] array)
        {
            result = array;
            return true;
        }
        result = null!;
        return false;
    }

    /// <summary>A declared field of a record; a field the document lacks reads as null, as in the closures.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object? Field(RuleRecord record, int index)
    {
        var value = record.Values[index];
        return ReferenceEquals(value, RuleRecord.Absent) ? null : value;
    }

    // ---- JSON, read in place ----

    /// <summary>A field of a JSON object; absent reads as a default element (Undefined), which reads as null.</summary>
    public static JsonElement JsonField(JsonElement json, byte[] utf8Name) =>
        // TryGetProperty finds the last of duplicate names, as the converter keeps the last one.
        json.TryGetProperty(utf8Name, out var value) ? value : default;

    /// <summary>
    /// Finds the properties named <paramref name="utf8Names"/> (in schema order) in one pass over the object, into
    /// <paramref name="into"/> from <paramref name="offset"/>; a name it lacks stays a default element, which reads
    /// as absent. Names are matched as the converter matches them (<see cref="RuleValues.MatchField"/>), and of
    /// duplicate names the last wins, as there.
    /// </summary>
    public static void JsonFields(JsonElement json, byte[][] utf8Names, JsonElement[] into, int offset)
    {
        var expected = 0;
        foreach (var property in json.EnumerateObject())
        {
            var match = RuleValues.MatchField(property, utf8Names, expected);
            if (match < 0) continue;
            into[offset + match] = property.Value;
            expected = match + 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool JsonObject(JsonElement json, out JsonElement result)
    {
        result = json;
        return json.ValueKind == JsonValueKind.Object;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool JsonArray(JsonElement json, out JsonElement result)
    {
        result = json;
        return json.ValueKind == JsonValueKind.Array;
    }

    /// <summary>An integer as the converter reads one for an integer type: plain digits, or what TryGetInt64 accepts.</summary>
    public static bool JsonLong(JsonElement json, out long result)
    {
        result = 0;
        if (json.ValueKind != JsonValueKind.Number) return false;
        if (RuleValues.TryParsePlainNumber(JsonMarshal.GetRawUtf8Value(json), out var magnitude, out var negative, out var scale))
        {
            if (scale != 0) return false;
            result = negative ? -(long)magnitude : (long)magnitude;
            return true;
        }
        return json.TryGetInt64(out result);
    }

    /// <summary>A number as the converter reads one for a number type, scale included.</summary>
    public static bool JsonDecimal(JsonElement json, out decimal result)
    {
        result = 0;
        if (json.ValueKind != JsonValueKind.Number) return false;
        if (RuleValues.TryParsePlainNumber(JsonMarshal.GetRawUtf8Value(json), out var magnitude, out var negative, out var scale))
        {
            result = RuleValues.PlainDecimal(magnitude, negative, scale);
            return true;
        }
        return json.TryGetDecimal(out result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool JsonBoolean(JsonElement json, out bool result)
    {
        result = json.ValueKind == JsonValueKind.True;
        return json.ValueKind is JsonValueKind.True or JsonValueKind.False;
    }

    /// <summary>A string or null; a number or any other kind is not what a string field converts to.</summary>
    public static bool JsonString(JsonElement json, out string? result)
    {
        result = null;
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                result = json.GetString();
                return true;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether a string field equals <paramref name="utf8Text"/> (ordinal, null equals nothing), compared on the
    /// UTF-8 bytes without making a string; false when the field holds something other than a string or null.
    /// </summary>
    public static bool JsonStringEquals(JsonElement json, byte[] utf8Text, out bool equal)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                equal = json.ValueEquals(utf8Text);
                return true;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                equal = false;
                return true;
            default:
                equal = false;
                return false;
        }
    }

    /// <summary>A date as the converter reads one for <paramref name="type"/>: the common yyyy-MM-dd from the bytes, else its rules.</summary>
    public static bool JsonDate(JsonElement json, RuleType type, out DateTime result)
    {
        result = default;
        if (json.ValueKind != JsonValueKind.String) return false;
        if (!type.IsDateTime && RuleValues.TryParseDate(JsonMarshal.GetRawUtf8Value(json), out result)) return true;
        return Date(RuleValues.FromJson(json, type), out result);
    }

    // ---- results ----

    /// <summary>A rule's result with an action's output, as the closures build it.</summary>
    public static RuleResultTree WithOutput(CompiledRule rule, bool achieved, object? output)
    {
        var status = achieved ? RuleStatus.Achieved : RuleStatus.NotAchieved;
        if (output is null) return achieved ? rule.Achieved : rule.NotAchieved;
        return new RuleResultTree
        {
            RuleName = rule.Name,
            Status = status,
            ActionOutput = output,
            SuccessEvent = rule.SuccessEvent,
            Properties = rule.Properties,
        };
    }
}
