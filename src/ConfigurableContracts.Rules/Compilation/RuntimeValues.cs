using System.Globalization;
using System.Runtime.CompilerServices;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// The operators of the language over the value model, with C# numeric promotion: long op long stays long
/// (checked, so overflow is an error, and integer division truncates), long op decimal becomes decimal.
/// </summary>
internal static class RuntimeValues
{
    public static string KindOf(object? value) => value switch
    {
        null => "null",
        bool => "boolean",
        long => "integer",
        decimal => "number",
        string => "string",
        DateTime => "date",
        TimeSpan => "time span",
        IReadOnlyList<object?> => "array",
        IReadOnlyDictionary<string, object?> => "object",
        _ => value.GetType().Name,
    };

    /// <summary>Days in a time span as a decimal; differences of calendar dates are whole days and skip a slow decimal division.</summary>
    public static decimal TotalDays(TimeSpan span) => span.Ticks % TimeSpan.TicksPerDay == 0
        ? span.Ticks / TimeSpan.TicksPerDay
        : (decimal)span.Ticks / TimeSpan.TicksPerDay;

    /// <summary>The kind with its article, for messages: "an integer", "a string".</summary>
    public static string Describe(object? value)
    {
        var kind = KindOf(value);
        return (kind[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + kind;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryGetDecimal(object? value, out decimal number)
    {
        switch (value)
        {
            case long l:
                number = l;
                return true;
            case decimal d:
                number = d;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    public static object Arithmetic(char op, object left, object right)
    {
        if (left is long a && right is long b)
        {
            return op switch
            {
                '+' => checked(a + b),
                '-' => checked(a - b),
                '*' => checked(a * b),
                '/' => a / b,
                _ => a % b,
            };
        }
        if (TryGetDecimal(left, out var x) && TryGetDecimal(right, out var y))
        {
            return op switch
            {
                '+' => x + y,
                '-' => x - y,
                '*' => x * y,
                '/' => x / y,
                _ => x % y,
            };
        }
        if (op == '+' && (left is string || right is string)) return Format(left) + Format(right);
        if (left is DateTime date)
        {
            if (op == '-' && right is DateTime other) return date - other;
            if (op == '-' && right is TimeSpan span) return date - span;
            if (op == '+' && right is TimeSpan added) return date + added;
        }
        throw new RuleEvaluationException($"Operator '{op}' cannot be applied to {KindOf(left)} and {KindOf(right)}.");
    }

    public static int Compare(object left, object right)
    {
        if (left is decimal dl && right is decimal dr) return dl.CompareTo(dr);
        if (left is long a && right is long b) return a.CompareTo(b);
        if (TryGetDecimal(left, out var x) && TryGetDecimal(right, out var y)) return x.CompareTo(y);
        return (left, right) switch
        {
            (string s, string t) => string.CompareOrdinal(s, t),
            (DateTime d, DateTime e) => d.CompareTo(e),
            (TimeSpan d, TimeSpan e) => d.CompareTo(e),
            (bool p, bool q) => p.CompareTo(q),
            _ => throw new RuleEvaluationException($"{Describe(left)} cannot be compared with {Describe(right)}."),
        };
    }

    /// <summary>Equality of the value model: numbers compare by value across long and decimal, strings ordinally.</summary>
    public static new bool Equals(object? left, object? right)
    {
        if (left is null || right is null) return left is null && right is null;
        if (left is long a && right is long b) return a == b;
        if (TryGetDecimal(left, out var x) && TryGetDecimal(right, out var y)) return x == y;
        return left switch
        {
            string s => right is string t && string.Equals(s, t, StringComparison.Ordinal),
            bool p => right is bool q && p == q,
            DateTime d => right is DateTime e && d == e,
            TimeSpan d => right is TimeSpan e && d == e,
            _ => ReferenceEquals(left, right),
        };
    }

    /// <summary>Invariant-culture text of a value, used by string concatenation, Convert.ToString and messages.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateTime { TimeOfDay.Ticks: 0, Kind: not DateTimeKind.Utc } date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime instant => instant.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        MissingValue missing => missing.Reason,
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Hashing consistent with <see cref="Equals(object?, object?)"/>, for Distinct.</summary>
    public sealed class EqualityComparer : IEqualityComparer<object?>
    {
        public static EqualityComparer Instance { get; } = new();

        bool IEqualityComparer<object?>.Equals(object? x, object? y) => RuntimeValues.Equals(x, y);

        public int GetHashCode(object? obj) => obj switch
        {
            null => 0,
            long l => ((decimal)l).GetHashCode(),
            decimal d => d.GetHashCode(),
            string s => StringComparer.Ordinal.GetHashCode(s),
            _ => obj.GetHashCode(),
        };
    }

    /// <summary>Ordering for OrderBy: nulls first, then <see cref="Compare"/>.</summary>
    public sealed class OrderComparer : IComparer<object?>
    {
        public static OrderComparer Instance { get; } = new();

        public int Compare(object? x, object? y)
        {
            if (x is null || y is null) return x is null ? (y is null ? 0 : -1) : 1;
            return RuntimeValues.Compare(x, y);
        }
    }
}
