using System.Globalization;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// Turns a bound tree into a tree of closures, once, when the workflow is loaded. Evaluating is then a walk over
/// pre-built delegates reading frame slots: no parsing, no reflection, no dictionary of operators per call.
/// Absent data becomes a <see cref="MissingValue"/> rather than an exception, because a missing follow-up is the
/// common case for many participants and must stay cheap.
/// </summary>
internal sealed class Compiler(IRuleFunctions? functions)
{
    public Func<EvaluationFrame, object?> Compile(BoundExpression node) => node switch
    {
        BoundLiteral literal => CompileLiteral(literal.Value),
        BoundSlot slot => CompileSlot(slot.Symbol),
        BoundField field => CompileField(field),
        BoundIndex index => CompileIndex(index),
        BoundUnary unary => CompileUnary(unary),
        BoundBinary binary => CompileBinary(binary),
        BoundConditional conditional => CompileConditional(conditional),
        BoundIn @in => CompileIn(@in),
        BoundCall call => CompileCall(call),
        BoundFunctionCall function => CompileFunctionCall(function),
        _ => throw new InvalidOperationException($"Cannot compile {node.GetType().Name}; the binder should have refused it."),
    };

    private static MissingValue Missing(BoundExpression expression) => new($"'{expression.Text}' is missing");

    private static Func<EvaluationFrame, object?> CompileLiteral(object? value) => _ => value;

    private static Func<EvaluationFrame, object?> CompileSlot(Symbol symbol)
    {
        var slot = symbol.Slot;
        if (symbol.Kind is SymbolKind.Input or SymbolKind.LambdaParameter) return frame => frame.Slots[slot];
        return frame =>
        {
            var value = frame.Slots[slot];
            if (value is FailedValue failed)
                throw new RuleEvaluationException($"Parameter '{symbol.Name}' failed: {failed.Error.Message}", failed.Error);
            return value;
        };
    }

    private Func<EvaluationFrame, object?> CompileField(BoundField field)
    {
        var target = Compile(field.Target);
        var name = field.Name;
        var targetNode = field.Target;
        return frame =>
        {
            var value = target(frame);
            // The concrete type first: it is what the converters produce and the cheapest test.
            if (value is Dictionary<string, object?> dictionary) return dictionary.TryGetValue(name, out var v) ? v : null;
            return value switch
            {
                IReadOnlyDictionary<string, object?> map => map.TryGetValue(name, out var v) ? v : null,
                null => Missing(targetNode),
                MissingValue => value,
                _ => DynamicProperty(value, name, targetNode.Text),
            };
        };
    }

    /// <summary>A built-in property read on a value whose type was not known when binding (input typed any).</summary>
    private static object DynamicProperty(object value, string name, string text) => (value, name) switch
    {
        (string s, "Length") => (object)(long)s.Length,
        (DateTime d, "Year") => (long)d.Year,
        (DateTime d, "Month") => (long)d.Month,
        (DateTime d, "Day") => (long)d.Day,
        (TimeSpan t, "TotalDays") => TotalDays(t),
        (TimeSpan t, "Days") => (long)t.Days,
        (IReadOnlyList<object?> list, "Count") => (long)list.Count,
        _ => throw new RuleEvaluationException($"'{text}' is {RuntimeValues.Describe(value)}, which has no member '{name}'."),
    };

    private static decimal TotalDays(TimeSpan span) => (decimal)span.Ticks / TimeSpan.TicksPerDay;

    private Func<EvaluationFrame, object?> CompileIndex(BoundIndex index)
    {
        var target = Compile(index.Target);
        var key = Compile(index.Index);
        var targetNode = index.Target;
        var keyNode = index.Index;
        return frame =>
        {
            var value = target(frame);
            if (value is MissingValue) return value;
            if (value is null) return Missing(targetNode);
            var k = key(frame);
            if (k is MissingValue) return k;
            if (k is null) return Missing(keyNode);
            return (value, k) switch
            {
                (IReadOnlyList<object?> list, long i) => i >= 0 && i < list.Count
                    ? list[(int)i]
                    : new MissingValue($"'{targetNode.Text}' has no element {i}"),
                (IReadOnlyDictionary<string, object?> map, string name) => map.TryGetValue(name, out var v) ? v : null,
                _ => throw new RuleEvaluationException($"A {RuntimeValues.KindOf(value)} cannot be indexed by {RuntimeValues.Describe(k)}."),
            };
        };
    }

    private Func<EvaluationFrame, object?> CompileUnary(BoundUnary unary)
    {
        var operand = Compile(unary.Operand);
        var node = unary.Operand;
        return unary.Operator switch
        {
            BoundUnaryOperator.Not => frame => operand(frame) switch
            {
                bool b => Boxes.Box(!b),
                null => Missing(node),
                MissingValue m => m,
                var v => throw new RuleEvaluationException($"'!' needs a boolean, not {RuntimeValues.Describe(v)}."),
            },
            BoundUnaryOperator.Negate => frame => operand(frame) switch
            {
                long l => checked(-l),
                decimal d => -d,
                null => Missing(node),
                MissingValue m => m,
                var v => throw new RuleEvaluationException($"'-' needs a number, not {RuntimeValues.Describe(v)}."),
            },
            _ => frame => operand(frame) switch
            {
                var v and (long or decimal or MissingValue) => v,
                null => Missing(node),
                var v => throw new RuleEvaluationException($"'+' needs a number, not {RuntimeValues.Describe(v)}."),
            },
        };
    }

    private Func<EvaluationFrame, object?> CompileBinary(BoundBinary binary)
    {
        var left = Compile(binary.Left);
        var right = Compile(binary.Right);
        var leftNode = binary.Left;
        var rightNode = binary.Right;
        switch (binary.Operator)
        {
            case BoundBinaryOperator.And:
                return frame =>
                {
                    var l = Logical(left(frame), leftNode);
                    if (ReferenceEquals(l, Boxes.False)) return l;
                    var r = Logical(right(frame), rightNode);
                    // Kleene logic: false wins over missing, missing wins over true.
                    if (ReferenceEquals(r, Boxes.False)) return r;
                    return l is MissingValue ? l : r;
                };
            case BoundBinaryOperator.Or:
                return frame =>
                {
                    var l = Logical(left(frame), leftNode);
                    if (ReferenceEquals(l, Boxes.True)) return l;
                    var r = Logical(right(frame), rightNode);
                    if (ReferenceEquals(r, Boxes.True)) return r;
                    return l is MissingValue ? l : r;
                };
            case BoundBinaryOperator.Coalesce:
                var promote = binary.Type.Kind == RuleTypeKind.Number;
                return frame =>
                {
                    var l = left(frame);
                    var value = l is null or MissingValue ? right(frame) : l;
                    return promote && value is long n ? (decimal)n : value;
                };
            case BoundBinaryOperator.Equal:
            case BoundBinaryOperator.NotEqual:
                return CompileEquality(binary, left, right);
        }

        if (binary.Operator is BoundBinaryOperator.Less or BoundBinaryOperator.LessOrEqual or BoundBinaryOperator.Greater or BoundBinaryOperator.GreaterOrEqual)
        {
            Func<int, bool> test = binary.Operator switch
            {
                BoundBinaryOperator.Less => c => c < 0,
                BoundBinaryOperator.LessOrEqual => c => c <= 0,
                BoundBinaryOperator.Greater => c => c > 0,
                _ => c => c >= 0,
            };
            return frame =>
            {
                var l = left(frame);
                if (l is null) return Missing(leftNode);
                if (l is MissingValue) return l;
                var r = right(frame);
                if (r is null) return Missing(rightNode);
                if (r is MissingValue) return r;
                return Boxes.Box(test(RuntimeValues.Compare(l, r)));
            };
        }

        var op = binary.Operator switch
        {
            BoundBinaryOperator.Add => '+',
            BoundBinaryOperator.Subtract => '-',
            BoundBinaryOperator.Multiply => '*',
            BoundBinaryOperator.Divide => '/',
            _ => '%',
        };
        var concatenates = op == '+' && binary.Type.Kind == RuleTypeKind.String;
        return frame =>
        {
            var l = left(frame);
            if (l is MissingValue) return l;
            var r = right(frame);
            if (r is MissingValue) return r;
            if (concatenates) return RuntimeValues.Format(l) + RuntimeValues.Format(r);
            if (l is null) return Missing(leftNode);
            if (r is null) return Missing(rightNode);
            return RuntimeValues.Arithmetic(op, l, r);
        };
    }

    private static object? Logical(object? value, BoundExpression node) => value switch
    {
        bool b => Boxes.Box(b),
        null => Missing(node),
        MissingValue => value,
        _ => throw new RuleEvaluationException($"'{node.Text}' should be a boolean but is {RuntimeValues.Describe(value)}."),
    };

    private static Func<EvaluationFrame, object?> CompileEquality(BoundBinary binary, Func<EvaluationFrame, object?> left, Func<EvaluationFrame, object?> right)
    {
        var equal = binary.Operator == BoundBinaryOperator.Equal;
        // "followUp6.score == null" asks whether the value is there; it must not itself be NotEvaluable.
        var leftIsNull = binary.Left is BoundLiteral { Value: null };
        var rightIsNull = binary.Right is BoundLiteral { Value: null };
        return frame =>
        {
            var l = left(frame);
            if (l is MissingValue && !rightIsNull) return l;
            var r = right(frame);
            if (r is MissingValue && !leftIsNull) return r;
            if (l is MissingValue) l = null;
            if (r is MissingValue) r = null;
            return Boxes.Box(RuntimeValues.Equals(l, r) == equal);
        };
    }

    private Func<EvaluationFrame, object?> CompileConditional(BoundConditional conditional)
    {
        var condition = Compile(conditional.Condition);
        var whenTrue = Compile(conditional.WhenTrue);
        var whenFalse = Compile(conditional.WhenFalse);
        var node = conditional.Condition;
        var promote = conditional.Type.Kind == RuleTypeKind.Number;
        return frame =>
        {
            var value = Logical(condition(frame), node);
            if (value is MissingValue) return value;
            var result = ReferenceEquals(value, Boxes.True) ? whenTrue(frame) : whenFalse(frame);
            return promote && result is long n ? (decimal)n : result;
        };
    }

    private Func<EvaluationFrame, object?> CompileIn(BoundIn @in)
    {
        var value = Compile(@in.Value);
        var items = @in.Items.Select(Compile).ToArray();
        if (!@in.IsList)
        {
            var collection = items[0];
            var collectionNode = @in.Items[0];
            return frame =>
            {
                var v = value(frame);
                if (v is MissingValue) return v;
                switch (collection(frame))
                {
                    case IReadOnlyList<object?> list:
                        foreach (var item in list)
                            if (RuntimeValues.Equals(v, item)) return Boxes.True;
                        return Boxes.False;
                    case null:
                        return Missing(collectionNode);
                    case MissingValue m:
                        return m;
                    case var other:
                        throw new RuleEvaluationException($"'in' needs an array, not {RuntimeValues.Describe(other)}.");
                }
            };
        }
        return frame =>
        {
            var v = value(frame);
            if (v is MissingValue) return v;
            foreach (var item in items)
            {
                var candidate = item(frame);
                if (candidate is MissingValue) return candidate;
                if (RuntimeValues.Equals(v, candidate)) return Boxes.True;
            }
            return Boxes.False;
        };
    }

    private Func<EvaluationFrame, object?> CompileFunctionCall(BoundFunctionCall call)
    {
        var provider = functions ?? throw new InvalidOperationException("A custom function was bound without a provider.");
        var arguments = call.Arguments.Select(Compile).ToArray();
        var name = call.Name;
        var returnKind = call.Type.Kind;
        return frame =>
        {
            var values = new object?[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                var value = arguments[i](frame);
                // Functions see absent data as null and decide themselves what it means.
                values[i] = value is MissingValue ? null : value;
            }
            var result = provider.Invoke(name, values);
            return (returnKind, result) switch
            {
                (RuleTypeKind.Number, long l) => (decimal)l,
                (RuleTypeKind.Integer, decimal d) when decimal.Truncate(d) == d => (long)d,
                _ => result,
            };
        };
    }

    private Func<EvaluationFrame, object?> CompileCall(BoundCall call)
    {
        var receiver = call.Receiver is null ? null : Compile(call.Receiver);
        var receiverNode = call.Receiver;
        var lambda = call.Arguments.Count > 0 ? call.Arguments[0] as BoundLambda : null;
        var lambdaBody = lambda is null ? null : Compile(lambda.Body);
        var lambdaSlot = lambda?.Parameter.Slot ?? -1;
        var arguments = call.Arguments.Where(a => a is not BoundLambda).Select(Compile).ToArray();
        var argumentNodes = call.Arguments.Where(a => a is not BoundLambda).ToArray();
        var implementation = Builtins.Get(call, lambdaBody, lambdaSlot);
        var nullTolerant = call.Method is BuiltinMethod.StringIsNullOrEmpty or BuiltinMethod.StringIsNullOrWhiteSpace
            || (call.Method == BuiltinMethod.Contains && call.Receiver?.Type.Kind == RuleTypeKind.Array);
        var promote = call.Type.Kind == RuleTypeKind.Number;

        return frame =>
        {
            object? target = null;
            if (receiver is not null)
            {
                target = receiver(frame);
                if (target is MissingValue) return target;
                if (target is null) return Missing(receiverNode!);
            }
            var values = arguments.Length == 0 ? [] : new object?[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                var value = arguments[i](frame);
                if (value is MissingValue) return value;
                if (value is null && !nullTolerant) return Missing(argumentNodes[i]);
                values[i] = value;
            }
            var result = implementation(frame, target, values);
            return promote && result is long n ? (decimal)n : result;
        };
    }

    /// <summary>Implementations of the allow-listed members, chosen once per call site.</summary>
    private static class Builtins
    {
        public delegate object? Implementation(EvaluationFrame frame, object? receiver, object?[] arguments);

        public static Implementation Get(BoundCall call, Func<EvaluationFrame, object?>? lambda, int slot)
        {
            var text = call.Text;
            var lambdaText = call.Arguments.Count > 0 && call.Arguments[0] is BoundLambda l ? l.Body.Text : "";

            object? Apply(EvaluationFrame frame, object? element)
            {
                frame.Slots[slot] = element;
                return lambda!(frame);
            }

            // A predicate's value: true/false, or the MissingValue explaining why it could not be decided.
            object Test(EvaluationFrame frame, object? element) => Apply(frame, element) switch
            {
                bool b => Boxes.Box(b),
                MissingValue m => m,
                null => new MissingValue($"'{lambdaText}' is missing for an element"),
                var v => throw new RuleEvaluationException($"'{lambdaText}' should be a boolean but is {RuntimeValues.Describe(v)}."),
            };

            IReadOnlyList<object?> List(object? receiver) => receiver as IReadOnlyList<object?>
                ?? throw new RuleEvaluationException($"'{text}': {call.Method} needs an array, not {RuntimeValues.Describe(receiver)}.");

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
                foreach (var element in list)
                {
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
                    return (_, r, a) => Date(r).AddDays((double)Number(a[0]));
                case BuiltinMethod.AddMonths:
                    return (_, r, a) => Date(r).AddMonths(Int(a[0]));
                case BuiltinMethod.Year:
                    return (_, r, _) => (long)Date(r).Year;
                case BuiltinMethod.Month:
                    return (_, r, _) => (long)Date(r).Month;
                case BuiltinMethod.Day:
                    return (_, r, _) => (long)Date(r).Day;
                case BuiltinMethod.TotalDays:
                    return (_, r, _) => r is TimeSpan t ? TotalDays(t) : throw new RuleEvaluationException($"'{text}': TotalDays needs a time span.");
                case BuiltinMethod.Days:
                    return (_, r, _) => r is TimeSpan t ? (long)t.Days : throw new RuleEvaluationException($"'{text}': Days needs a time span.");

                case BuiltinMethod.Any when lambda is null:
                    return (_, r, _) => Boxes.Box(List(r).Count > 0);
                case BuiltinMethod.Any:
                    return (f, r, _) =>
                    {
                        object result = Boxes.False;
                        foreach (var element in List(r))
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
                        foreach (var element in List(r))
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
                        foreach (var element in List(r))
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
                        foreach (var element in List(r))
                        {
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
                case BuiltinMethod.First:
                case BuiltinMethod.FirstOrDefault:
                case BuiltinMethod.Last:
                {
                    var fromEnd = call.Method == BuiltinMethod.Last;
                    var orDefault = call.Method == BuiltinMethod.FirstOrDefault;
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
}
