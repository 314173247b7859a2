using System.Collections;
using System.Dynamic;
using System.Globalization;
using System.Reflection;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Conformance;

/// <summary>
/// Compares a value our engine computed with the one RulesEngine computed, across the two value models: numbers by
/// value whatever their CLR type (our decimal against its double), dates by instant (also against the ISO string
/// RulesEngine keeps), objects by their members (our records, its ExpandoObjects or the types it builds from them),
/// sequences element by element.
/// </summary>
public static class OracleValues
{
    /// <summary>Numbers closer than this are equal: RulesEngine computes JSON decimals in double precision.</summary>
    private const decimal DoubleTolerance = 0.000_000_001m;

    public static bool Equal(object? ours, object? theirs)
    {
        if (ours is null || theirs is null) return ours is null && theirs is null;
        if (TryNumber(ours, out var a) && TryNumber(theirs, out var b))
            return a == b || (IsDouble(ours) || IsDouble(theirs)) && Math.Abs(a - b) <= DoubleTolerance * Math.Max(1, Math.Abs(a));
        if (ours is string s) return theirs is string t && string.Equals(s, t, StringComparison.Ordinal);
        if (ours is bool x) return theirs is bool y && x == y;
        if (TryInstant(ours, out var d) && TryInstant(theirs, out var e)) return d == e;
        // An ISO date string in the data is a date here and stays a string in RulesEngine (documented difference 8);
        // both write the same JSON, so the date equals the string that denotes the same instant.
        if (TryInstant(ours, out d) && theirs is string text
            && (RuleValues.TryParseDate(text, out e) || RuleValues.TryParseDateTime(text, out e))) return d == e;
        var ourMembers = Members(ours);
        var theirMembers = Members(theirs);
        if (ourMembers is not null && theirMembers is not null)
            return ourMembers.Count == theirMembers.Count
                && ourMembers.All(member => theirMembers.TryGetValue(member.Key, out var other) && Equal(member.Value, other));
        if (ours is IEnumerable ourItems && theirs is IEnumerable theirItems && ourMembers is null && theirMembers is null)
        {
            var left = ourItems.Cast<object?>().ToList();
            var right = theirItems.Cast<object?>().ToList();
            return left.Count == right.Count && left.Zip(right).All(pair => Equal(pair.First, pair.Second));
        }
        return false;
    }

    /// <summary>A short, one-line rendering for difference reports.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string text => System.Text.Json.JsonSerializer.Serialize(text),
        bool flag => flag ? "true" : "false",
        IFormattable number when TryNumber(value, out _) =>
            $"{number.ToString(null, CultureInfo.InvariantCulture)} ({value.GetType().Name})",
        DateTime instant => instant.ToString("o", CultureInfo.InvariantCulture),
        _ when Members(value) is { } members => "{" + string.Join(", ", members.Select(m => $"{m.Key}: {Describe(m.Value)}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static bool IsDouble(object value) => value is double or float;

    private static bool TryNumber(object value, out decimal number)
    {
        switch (value)
        {
            case decimal m: number = m; return true;
            case long l: number = l; return true;
            case int i: number = i; return true;
            case short s: number = s; return true;
            case byte b: number = b; return true;
            case ulong u: number = u; return true;
            case uint u32: number = u32; return true;
            case double or float:
                var d = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(d) && Math.Abs(d) < 7.9e28)
                {
                    number = (decimal)d;
                    return true;
                }
                break;
        }
        number = 0;
        return false;
    }

    private static bool TryInstant(object value, out DateTime instant)
    {
        switch (value)
        {
            case DateTime dateTime: instant = dateTime; return true;
            case DateTimeOffset offset: instant = offset.UtcDateTime; return true;
            case DateOnly date: instant = date.ToDateTime(TimeOnly.MinValue); return true;
            default: instant = default; return false;
        }
    }

    /// <summary>The members of an object-like value, or null when it is not one.</summary>
    private static Dictionary<string, object?>? Members(object value)
    {
        switch (value)
        {
            case string or IFormattable or bool:
                return null;
            case IDictionary<string, object?> dictionary: // ExpandoObject
                return new Dictionary<string, object?>(dictionary, StringComparer.Ordinal);
            case IReadOnlyDictionary<string, object?> record: // our records
                return record.ToDictionary(member => member.Key, member => member.Value, StringComparer.Ordinal);
            case IEnumerable:
                return null;
        }
        // RulesEngine turns ExpandoObject inputs into generated classes; outputs may be those or anonymous types.
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum) return null;
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetIndexParameters().Length == 0)
            .ToDictionary(property => property.Name, property => property.GetValue(value), StringComparer.Ordinal);
    }
}
