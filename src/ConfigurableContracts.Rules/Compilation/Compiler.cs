using System.Runtime.CompilerServices;
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
/// <remarks>
/// With <c>specialise</c> (the default) common shapes get their own closures: literal operands held as values,
/// fields of inputs read straight from their slot, <c>(a - b).TotalDays</c> without a boxed time span, literal call
/// arguments in one shared array. Each must give exactly the general closure's result, message and reason; the
/// general path stays for every other shape, and tests compile a corpus both ways to hold them to that.
/// </remarks>
internal sealed class Compiler(IRuleFunctions? functions, bool specialise = true)
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

    // One immutable instance per syntax node: a missing follow-up is common, so reporting it must not allocate.
    private static MissingValue Missing(BoundExpression expression) => expression.Missing;

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
        var name = field.Name;
        var targetNode = field.Target;
        // An input or lambda parameter is read straight from its slot, one delegate call fewer for the most common
        // shape of expression (participant.age, s.kind). Parameters go through CompileSlot for its failure check.
        var slot = specialise && field.Target is BoundSlot { Symbol.Kind: SymbolKind.Input or SymbolKind.LambdaParameter } direct ? direct.Symbol.Slot : -1;
        var target = slot >= 0 ? null : Compile(field.Target);
        if (field.Target.Type.Shape is { } shape && shape.Index.TryGetValue(name, out var index))
        {
            // Typed field: objects converted with the same schema keep their fields in the shape's order.
            if (slot >= 0) return frame => ReadShaped(frame.Slots[slot], shape, index, name, targetNode);
            return frame => ReadShaped(target!(frame), shape, index, name, targetNode);
        }
        if (slot >= 0) return frame => ReadNamed(frame.Slots[slot], name, targetNode);
        return frame => ReadNamed(target!(frame), name, targetNode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static object? ReadShaped(object? value, ObjectShape shape, int index, string name, BoundExpression targetNode)
    {
        if (value is RuleRecord record && ReferenceEquals(record.Shape, shape))
        {
            var v = record.Values[index];
            return ReferenceEquals(v, RuleRecord.Absent) ? null : v;
        }
        return ReadOther(value, name, targetNode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static object? ReadNamed(object? value, string name, BoundExpression targetNode) =>
        // The concrete type first: it is what the converters produce and the cheapest test.
        value is Dictionary<string, object?> dictionary
            ? dictionary.TryGetValue(name, out var v) ? v : null
            : ReadOther(value, name, targetNode);

    private static object? ReadOther(object? value, string name, BoundExpression targetNode) => value switch
    {
        IReadOnlyDictionary<string, object?> map => map.TryGetValue(name, out var v) ? v : null,
        null => Missing(targetNode),
        MissingValue => value,
        _ => DynamicProperty(value, name, targetNode.Text),
    };

    /// <summary>A built-in property read on a value whose type was not known when binding (input typed any).</summary>
    private static object DynamicProperty(object value, string name, string text) => (value, name) switch
    {
        (string s, "Length") => (object)(long)s.Length,
        (DateTime d, "Year") => (long)d.Year,
        (DateTime d, "Month") => (long)d.Month,
        (DateTime d, "Day") => (long)d.Day,
        (TimeSpan t, "TotalDays") => RuntimeValues.TotalDays(t),
        (TimeSpan t, "Days") => (long)t.Days,
        (IReadOnlyList<object?> list, "Count") => (long)list.Count,
        _ => throw new RuleEvaluationException($"'{text}' is {RuntimeValues.Describe(value)}, which has no member '{name}'."),
    };


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
            // The sign of the comparison that makes the operator true, and whether equality does too.
            var (sign, orEqual) = binary.Operator switch
            {
                BoundBinaryOperator.Less => (-1, false),
                BoundBinaryOperator.LessOrEqual => (-1, true),
                BoundBinaryOperator.Greater => (1, false),
                _ => (1, true),
            };
            var leftMissing = Missing(leftNode);
            var rightMissing = Missing(rightNode);
            // A literal operand (monthsEnrolled >= 3) is neither null nor missing: read it without a delegate call.
            if (Constant(binary.Right) is { } constant)
            {
                return frame =>
                {
                    var l = left(frame);
                    if (l is null) return leftMissing;
                    if (l is MissingValue) return l;
                    var c = RuntimeValues.Compare(l, constant);
                    return Boxes.Box(c == 0 ? orEqual : Math.Sign(c) == sign);
                };
            }
            return frame =>
            {
                var l = left(frame);
                if (l is null) return leftMissing;
                if (l is MissingValue) return l;
                var r = right(frame);
                if (r is null) return rightMissing;
                if (r is MissingValue) return r;
                var c = RuntimeValues.Compare(l, r);
                return Boxes.Box(c == 0 ? orEqual : Math.Sign(c) == sign);
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
        if (!concatenates && Constant(binary.Right) is { } operand)
        {
            return frame =>
            {
                var l = left(frame);
                if (l is MissingValue) return l;
                if (l is null) return Missing(leftNode);
                return RuntimeValues.Arithmetic(op, l, operand);
            };
        }
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

    /// <summary>The value of a non-null literal, which an operator can hold instead of calling a delegate for it.</summary>
    private object? Constant(BoundExpression node) => specialise && node is BoundLiteral { Value: { } value } ? value : null;

    private static object? Logical(object? value, BoundExpression node) => value switch
    {
        bool b => Boxes.Box(b),
        null => Missing(node),
        MissingValue => value,
        _ => throw new RuleEvaluationException($"'{node.Text}' should be a boolean but is {RuntimeValues.Describe(value)}."),
    };

    private Func<EvaluationFrame, object?> CompileEquality(BoundBinary binary, Func<EvaluationFrame, object?> left, Func<EvaluationFrame, object?> right)
    {
        var equal = binary.Operator == BoundBinaryOperator.Equal;
        // "followUp6.score == null" asks whether the value is there; it must not itself be NotEvaluable.
        var leftIsNull = binary.Left is BoundLiteral { Value: null };
        var rightIsNull = binary.Right is BoundLiteral { Value: null };
        if (binary.Right is BoundLiteral { Value: string text })
        {
            // The most common comparison in outcome rules (field == "value"): compare strings directly.
            return frame =>
            {
                var l = left(frame);
                if (l is MissingValue) return l;
                return Boxes.Box((l is string s ? string.Equals(s, text, StringComparison.Ordinal) : RuntimeValues.Equals(l, text)) == equal);
            };
        }
        if (specialise && rightIsNull)
        {
            // "x == null" asks whether x is there, so a missing x is simply absent.
            return frame => Boxes.Box((left(frame) is null or MissingValue) == equal);
        }
        if (Constant(binary.Right) is { } constant)
        {
            return frame =>
            {
                var l = left(frame);
                if (l is MissingValue) return l;
                return Boxes.Box(RuntimeValues.Equals(l, constant) == equal);
            };
        }
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
                        for (var i = 0; i < list.Count; i++)
                            if (RuntimeValues.Equals(v, list[i])) return Boxes.True;
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
        if (specialise && @in.Items.All(i => i is BoundLiteral))
        {
            // x in ("moved", "declined"): the candidates are constants, compared without a delegate call each.
            var constants = @in.Items.Select(i => ((BoundLiteral)i).Value).ToArray();
            return frame =>
            {
                var v = value(frame);
                if (v is MissingValue) return v;
                for (var i = 0; i < constants.Length; i++)
                    if (RuntimeValues.Equals(v, constants[i])) return Boxes.True;
                return Boxes.False;
            };
        }
        return frame =>
        {
            var v = value(frame);
            if (v is MissingValue) return v;
            for (var i = 0; i < items.Length; i++)
            {
                var candidate = items[i](frame);
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
        if (specialise && call is { Method: BuiltinMethod.TotalDays, Receiver: BoundBinary { Operator: BoundBinaryOperator.Subtract } difference })
            return CompileDaysBetween(difference, Builtins.Get(call, null, -1));
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

        // Literal arguments (AddDays(30)) are the same every time: one array for all calls, which only read it.
        if (arguments.Length > 0 && argumentNodes.All(a => Constant(a) is not null))
        {
            var constants = argumentNodes.Select(a => Constant(a)).ToArray();
            return frame =>
            {
                var target = receiver is null ? null : receiver(frame);
                if (target is MissingValue) return target;
                if (target is null && receiver is not null) return Missing(receiverNode!);
                var result = implementation(frame, target, constants);
                return promote && result is long n ? (decimal)n : result;
            };
        }

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

    /// <summary>
    /// <c>(a - b).TotalDays</c>, the usual way rules count days: computed from the two dates without a boxed time
    /// span in between. Anything but two dates takes the general path of the subtraction and the member.
    /// </summary>
    private Func<EvaluationFrame, object?> CompileDaysBetween(BoundBinary difference, Builtins.Implementation totalDays)
    {
        var left = Compile(difference.Left);
        var right = Compile(difference.Right);
        var leftNode = difference.Left;
        var rightNode = difference.Right;
        return frame =>
        {
            var l = left(frame);
            if (l is MissingValue) return l;
            var r = right(frame);
            if (r is MissingValue) return r;
            if (l is DateTime a && r is DateTime b) return RuntimeValues.TotalDays(a - b);
            if (l is null) return Missing(leftNode);
            if (r is null) return Missing(rightNode);
            return totalDays(frame, RuntimeValues.Arithmetic('-', l, r), []);
        };
    }
}
