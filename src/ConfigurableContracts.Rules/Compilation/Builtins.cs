using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// Implementations of the allow-listed members, chosen once per call site by the <see cref="Compiler"/>. Each
/// checks its receiver and arguments at run time too, because untyped (any) inputs reach them unchecked.
/// </summary>
internal static class Builtins
{
    public delegate object? Implementation(EvaluationFrame frame, object? receiver, object?[] arguments);

    public static Implementation Get(BoundCall call, Func<EvaluationFrame, object?>? lambda, int slot)
    {
        var text = call.Text;
        var lambdaText = call.Arguments.Count > 0 && call.Arguments[0] is BoundLambda l ? l.Body.Text : "";

        // Inlined into the loops below: a lambda runs once per array element, so a call less per element counts.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        object? Apply(EvaluationFrame frame, object? element)
        {
            frame.Slots[slot] = element;
            return lambda!(frame);
        }

        // A predicate's value: true/false, or the MissingValue explaining why it could not be decided.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        object Test(EvaluationFrame frame, object? element) => Apply(frame, element) switch
        {
            bool b => Boxes.Box(b),
            MissingValue m => m,
            null => new MissingValue($"'{lambdaText}' is missing for an element"),
            var v => throw new RuleEvaluationException($"'{lambdaText}' should be a boolean but is {RuntimeValues.Describe(v)}."),
        };

        IReadOnlyList<object?> List(object? receiver) => receiver as IReadOnlyList<object?>
            ?? throw new RuleEvaluationException($"'{text}': {call.Method} needs an array, not {RuntimeValues.Describe(receiver)}.");

        // The elements as a span: arrays (what converted inputs hold) and lists are then walked without two interface
        // calls per element; any other list is copied once.
        ReadOnlySpan<object?> Elements(object? receiver) => receiver switch
        {
            object?[] array => array,
            List<object?> list => CollectionsMarshal.AsSpan(list),
            _ => List(receiver).ToArray(),
        };

        string String(object? value) => value as string
            ?? throw new RuleEvaluationException($"'{text}': {call.Method} needs a string, not {RuntimeValues.Describe(value)}.");

        DateTime Date(object? value) => value is DateTime d
            ? d
            : throw new RuleEvaluationException($"'{text}': {call.Method} needs a date, not {RuntimeValues.Describe(value)}.");

        decimal Number(object? value) => RuntimeValues.TryGetDecimal(value, out var d)
            ? d
            : throw new RuleEvaluationException($"'{text}': {call.Method} needs a number, not {RuntimeValues.Describe(value)}.");

        int Int(object? value) => value is long n
            ? checked((int)n)
            : throw new RuleEvaluationException($"'{text}': {call.Method} needs an integer, not {RuntimeValues.Describe(value)}.");

        // Elements or the values the selector picks from them, in order; a MissingValue stops the walk.
        List<object?>? Selected(EvaluationFrame frame, IReadOnlyList<object?> list, out MissingValue? missing)
        {
            missing = null;
            var values = new List<object?>(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                var element = list[i];
                var value = lambda is null ? element : Apply(frame, element);
                if (value is MissingValue m)
                {
                    missing = m;
                    return null;
                }
                if (value is null)
                {
                    missing = new MissingValue(lambda is null ? $"an element of '{text}' is missing" : $"'{lambdaText}' is missing for an element");
                    return null;
                }
                values.Add(value);
            }
            return values;
        }

        switch (call.Method)
        {
            case BuiltinMethod.Contains:
                return (_, r, a) => r switch
                {
                    string s => Boxes.Box(s.Contains(String(a[0]), StringComparison.Ordinal)),
                    IReadOnlyList<object?> list => Boxes.Box(list.Any(e => RuntimeValues.Equals(e, a[0]))),
                    _ => throw new RuleEvaluationException($"'{text}': Contains needs a string or an array, not {RuntimeValues.Describe(r)}."),
                };
            case BuiltinMethod.StartsWith:
                return (_, r, a) => Boxes.Box(String(r).StartsWith(String(a[0]), StringComparison.Ordinal));
            case BuiltinMethod.EndsWith:
                return (_, r, a) => Boxes.Box(String(r).EndsWith(String(a[0]), StringComparison.Ordinal));
            case BuiltinMethod.IndexOf:
                return (_, r, a) => (long)String(r).IndexOf(String(a[0]), StringComparison.Ordinal);
            case BuiltinMethod.ToLower:
                return (_, r, _) => String(r).ToLowerInvariant();
            case BuiltinMethod.ToUpper:
                return (_, r, _) => String(r).ToUpperInvariant();
            case BuiltinMethod.Trim:
                return (_, r, _) => String(r).Trim();
            case BuiltinMethod.TrimStart:
                return (_, r, _) => String(r).TrimStart();
            case BuiltinMethod.TrimEnd:
                return (_, r, _) => String(r).TrimEnd();
            case BuiltinMethod.Replace:
                return (_, r, a) =>
                {
                    var old = String(a[0]);
                    if (old.Length == 0) throw new RuleEvaluationException($"'{text}': Replace cannot look for an empty string.");
                    return String(r).Replace(old, String(a[1]), StringComparison.Ordinal);
                };
            case BuiltinMethod.Split:
                return (_, r, a) => String(r).Split(String(a[0])).ToArray<object?>();
            case BuiltinMethod.Substring:
                return (_, r, a) =>
                {
                    var s = String(r);
                    var start = Int(a[0]);
                    var length = a.Length > 1 ? Int(a[1]) : s.Length - start;
                    if (start < 0 || length < 0 || start + length > s.Length)
                        throw new RuleEvaluationException($"'{text}': Substring({start}, {length}) is outside a string of length {s.Length}.");
                    return s.Substring(start, length);
                };
            case BuiltinMethod.Length:
                return (_, r, _) => (long)String(r).Length;
            case BuiltinMethod.AddDays:
                return (_, r, a) => a[0] is long days ? Date(r).AddDays(days) : Date(r).AddDays((double)Number(a[0]));
            case BuiltinMethod.AddMonths:
                return (_, r, a) => Date(r).AddMonths(Int(a[0]));
            case BuiltinMethod.AddYears:
                return (_, r, a) => Date(r).AddYears(Int(a[0]));
            case BuiltinMethod.Year:
                return (_, r, _) => (long)Date(r).Year;
            case BuiltinMethod.Month:
                return (_, r, _) => (long)Date(r).Month;
            case BuiltinMethod.Day:
                return (_, r, _) => (long)Date(r).Day;
            case BuiltinMethod.TotalDays:
                return (_, r, _) => r is TimeSpan t ? RuntimeValues.TotalDays(t) : throw new RuleEvaluationException($"'{text}': TotalDays needs a time span.");
            case BuiltinMethod.Days:
                return (_, r, _) => r is TimeSpan t ? (long)t.Days : throw new RuleEvaluationException($"'{text}': Days needs a time span.");

            case BuiltinMethod.Any when lambda is null:
                return (_, r, _) => Boxes.Box(List(r).Count > 0);
            case BuiltinMethod.Any:
                return (f, r, _) =>
                {
                    object result = Boxes.False;
                    foreach (var element in Elements(r))
                    {
                        var test = Test(f, element);
                        if (ReferenceEquals(test, Boxes.True)) return test;
                        if (test is MissingValue) result = test;
                    }
                    return result;
                };
            case BuiltinMethod.All:
                return (f, r, _) =>
                {
                    object result = Boxes.True;
                    foreach (var element in Elements(r))
                    {
                        var test = Test(f, element);
                        if (ReferenceEquals(test, Boxes.False)) return test;
                        if (test is MissingValue) result = test;
                    }
                    return result;
                };
            case BuiltinMethod.Count when lambda is null:
                return (_, r, _) => (long)List(r).Count;
            case BuiltinMethod.Count:
                return (f, r, _) =>
                {
                    var count = 0L;
                    foreach (var element in Elements(r))
                    {
                        var test = Test(f, element);
                        if (test is MissingValue) return test;
                        if (ReferenceEquals(test, Boxes.True)) count++;
                    }
                    return count;
                };
            case BuiltinMethod.Where:
                return (f, r, _) =>
                {
                    var result = new List<object?>();
                    var list = List(r);
                    for (var i = 0; i < list.Count; i++)
                    {
                        var element = list[i];
                        var test = Test(f, element);
                        if (test is MissingValue) return test;
                        if (ReferenceEquals(test, Boxes.True)) result.Add(element);
                    }
                    return result;
                };
            case BuiltinMethod.Select:
                return (f, r, _) =>
                {
                    var list = List(r);
                    var result = new object?[list.Count];
                    for (var i = 0; i < list.Count; i++) result[i] = Apply(f, list[i]) is var v && v is MissingValue ? null : v;
                    return result;
                };
            case BuiltinMethod.Single:
            case BuiltinMethod.SingleOrDefault:
            {
                var orDefault = call.Method == BuiltinMethod.SingleOrDefault;
                return (f, r, _) =>
                {
                    var list = List(r);
                    object? found = null;
                    var matches = 0;
                    for (var n = 0; n < list.Count; n++)
                    {
                        if (lambda is not null)
                        {
                            var test = Test(f, list[n]);
                            if (test is MissingValue) return test;
                            if (!ReferenceEquals(test, Boxes.True)) continue;
                        }
                        if (++matches > 1) throw new RuleEvaluationException($"'{text}': more than one element matches.");
                        found = list[n];
                    }
                    return matches == 1 ? found : orDefault ? null : throw new RuleEvaluationException($"'{text}': no element matches.");
                };
            }
            case BuiltinMethod.SelectMany:
                return (f, r, _) =>
                {
                    var list = List(r);
                    var result = new List<object?>();
                    for (var i = 0; i < list.Count; i++)
                    {
                        switch (Apply(f, list[i]))
                        {
                            case MissingValue missing: return missing;
                            case IReadOnlyList<object?> inner: result.AddRange(inner); break;
                            case null: return new MissingValue($"'{lambdaText}' is missing for an element");
                            case var other: throw new RuleEvaluationException($"'{lambdaText}' should be an array but is {RuntimeValues.Describe(other)}.");
                        }
                    }
                    return result;
                };
            case BuiltinMethod.First:
            case BuiltinMethod.FirstOrDefault:
            case BuiltinMethod.Last:
            case BuiltinMethod.LastOrDefault:
            {
                var fromEnd = call.Method is BuiltinMethod.Last or BuiltinMethod.LastOrDefault;
                var orDefault = call.Method is BuiltinMethod.FirstOrDefault or BuiltinMethod.LastOrDefault;
                return (f, r, _) =>
                {
                    var list = List(r);
                    for (var n = 0; n < list.Count; n++)
                    {
                        var element = list[fromEnd ? list.Count - 1 - n : n];
                        if (lambda is null) return element;
                        var test = Test(f, element);
                        if (test is MissingValue) return test;
                        if (ReferenceEquals(test, Boxes.True)) return element;
                    }
                    return orDefault ? null : throw new RuleEvaluationException($"'{text}': no element matches.");
                };
            }
            case BuiltinMethod.Sum:
                return (f, r, _) =>
                {
                    var values = Selected(f, List(r), out var missing);
                    if (values is null) return missing;
                    if (values.TrueForAll(v => v is long))
                    {
                        var total = 0L;
                        foreach (var v in values) total = checked(total + (long)v!);
                        return total;
                    }
                    var sum = 0m;
                    foreach (var v in values) sum += Number(v);
                    return sum;
                };
            case BuiltinMethod.Average:
                return (f, r, _) =>
                {
                    var values = Selected(f, List(r), out var missing);
                    if (values is null) return missing;
                    if (values.Count == 0) return new MissingValue($"'{text}' has no elements to average");
                    var sum = 0m;
                    foreach (var v in values) sum += Number(v);
                    return sum / values.Count;
                };
            case BuiltinMethod.Min:
            case BuiltinMethod.Max:
            {
                var sign = call.Method == BuiltinMethod.Min ? -1 : 1;
                return (f, r, _) =>
                {
                    var values = Selected(f, List(r), out var missing);
                    if (values is null) return missing;
                    if (values.Count == 0) return new MissingValue($"'{text}' has no elements");
                    var best = values[0]!;
                    foreach (var v in values)
                        if (RuntimeValues.Compare(v!, best) * sign > 0) best = v!;
                    return best;
                };
            }
            case BuiltinMethod.Distinct:
                return (_, r, _) => List(r).Distinct(RuntimeValues.EqualityComparer.Instance).ToArray();
            case BuiltinMethod.OrderBy:
            case BuiltinMethod.OrderByDescending:
            {
                var descending = call.Method == BuiltinMethod.OrderByDescending;
                return (f, r, _) =>
                {
                    var list = List(r);
                    var keyed = new (object? Key, object? Element)[list.Count];
                    for (var i = 0; i < list.Count; i++)
                    {
                        var key = Apply(f, list[i]);
                        if (key is MissingValue) return key;
                        keyed[i] = (key, list[i]);
                    }
                    var ordered = descending
                        ? keyed.OrderByDescending(k => k.Key, RuntimeValues.OrderComparer.Instance)
                        : keyed.OrderBy(k => k.Key, RuntimeValues.OrderComparer.Instance);
                    return ordered.Select(k => k.Element).ToArray();
                };
            }
            case BuiltinMethod.Take:
                return (_, r, a) => List(r).Take(Int(a[0])).ToArray();
            case BuiltinMethod.Skip:
                return (_, r, a) => List(r).Skip(Int(a[0])).ToArray();

            case BuiltinMethod.StringIsNullOrEmpty:
                return (_, _, a) => Boxes.Box(string.IsNullOrEmpty(a[0] is null ? null : String(a[0])));
            case BuiltinMethod.StringIsNullOrWhiteSpace:
                return (_, _, a) => Boxes.Box(string.IsNullOrWhiteSpace(a[0] is null ? null : String(a[0])));
            case BuiltinMethod.MathAbs:
                return (_, _, a) => a[0] is long n ? checked(Math.Abs(n)) : (object)Math.Abs(Number(a[0]));
            case BuiltinMethod.MathFloor:
                return (_, _, a) => a[0] is long n ? n : (object)Math.Floor(Number(a[0]));
            case BuiltinMethod.MathCeiling:
                return (_, _, a) => a[0] is long n ? n : (object)Math.Ceiling(Number(a[0]));
            case BuiltinMethod.MathRound:
                // C#'s default: midpoints round to even (2.5 → 2), as Math.Round does in RulesEngine.
                return (_, _, a) => a[0] is long n ? n : (object)Math.Round(Number(a[0]), a.Length > 1 ? Int(a[1]) : 0);
            case BuiltinMethod.MathMin:
            case BuiltinMethod.MathMax:
            {
                var sign = call.Method == BuiltinMethod.MathMin ? -1 : 1;
                return (_, _, a) =>
                {
                    if (a[0] is long x && a[1] is long y) return sign < 0 ? Math.Min(x, y) : Math.Max(x, y);
                    var (p, q) = (Number(a[0]), Number(a[1]));
                    return sign < 0 ? Math.Min(p, q) : Math.Max(p, q);
                };
            }
            case BuiltinMethod.MathPow:
                return (_, _, a) => Power(Number(a[0]), a[1]);
            case BuiltinMethod.ConvertToInteger:
                return (_, _, a) => a[0] switch
                {
                    long n => n,
                    decimal d => Convert.ToInt64(d),
                    string s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
                    bool b => b ? 1L : 0L,
                    var v => throw new RuleEvaluationException($"'{text}': {RuntimeValues.Describe(v)} cannot be converted to an integer."),
                };
            case BuiltinMethod.ConvertToNumber:
                return (_, _, a) => a[0] switch
                {
                    long n => (decimal)n,
                    decimal d => d,
                    string s => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                    bool b => b ? 1m : 0m,
                    var v => throw new RuleEvaluationException($"'{text}': {RuntimeValues.Describe(v)} cannot be converted to a number."),
                };
            case BuiltinMethod.ConvertToString:
                return (_, _, a) => RuntimeValues.Format(a[0]);
            case BuiltinMethod.ConvertToBoolean:
                return (_, _, a) => a[0] switch
                {
                    bool b => Boxes.Box(b),
                    long n => Boxes.Box(n != 0),
                    decimal d => Boxes.Box(d != 0),
                    string s => Boxes.Box(bool.Parse(s)),
                    var v => throw new RuleEvaluationException($"'{text}': {RuntimeValues.Describe(v)} cannot be converted to a boolean."),
                };
            case BuiltinMethod.ConvertToDate:
            case BuiltinMethod.DateTimeParse:
                return (_, _, a) => a[0] switch
                {
                    DateTime d => d,
                    string s when RuleValues.TryParseDate(s, out var date) || RuleValues.TryParseDateTime(s, out date) => date,
                    var v => throw new RuleEvaluationException($"'{text}': '{RuntimeValues.Format(v)}' is not a date (yyyy-MM-dd)."),
                };
            default:
                throw new InvalidOperationException($"No implementation for {call.Method}.");
        }
    }

    /// <summary>Exact for whole exponents (money stays exact); through double otherwise.</summary>
    private static decimal Power(decimal value, object? exponent)
    {
        if (exponent is long n && n is >= 0 and <= 64)
        {
            var result = 1m;
            for (var i = 0; i < n; i++) result *= value;
            return result;
        }
        var e = RuntimeValues.TryGetDecimal(exponent, out var d) ? d : throw new RuleEvaluationException("Pow needs a number exponent.");
        var power = Math.Pow((double)value, (double)e);
        if (double.IsNaN(power) || double.IsInfinity(power)) throw new RuleEvaluationException($"Pow({value}, {e}) is not a finite number.");
        return (decimal)power;
    }
}
