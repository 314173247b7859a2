using System.Reflection;
using System.Text.Json;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;
using Ex = System.Linq.Expressions.Expression;
using BinaryExpression = System.Linq.Expressions.BinaryExpression;
using ConditionalExpression = System.Linq.Expressions.ConditionalExpression;
using LabelTarget = System.Linq.Expressions.LabelTarget;
using MethodCallExpression = System.Linq.Expressions.MethodCallExpression;
using ParameterExpression = System.Linq.Expressions.ParameterExpression;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>
/// The typed tier's compiler: turns a workflow's bound trees into one method over unboxed values (long, decimal,
/// DateTime, bool, string), reading its inputs either from the value model or straight from their JSON. It compiles
/// only the happy path. Wherever the closures could answer anything but a plain value — a value that is null,
/// absent or of another kind, an exception, a NotAchieved rule with an ErrorMessage to format — the typed code
/// leaves that rule's result empty and the evaluator asks the closures, which stay the reference for every answer.
/// </summary>
/// <remarks>
/// The generated code calls only this assembly's own helpers and the framework members listed here; rule text
/// never names a type or a member, so the language stays exactly as sandboxed as the closures.
/// </remarks>
internal sealed class TypedCompiler
{
    private static readonly ParameterExpression ValuesParameter = Ex.Parameter(typeof(object?[]), "values");
    private static readonly ParameterExpression JsonParameter = Ex.Parameter(typeof(JsonElement[]), "json");
    private static readonly ParameterExpression ResultsParameter = Ex.Parameter(typeof(RuleResultTree?[]), "results");

    private readonly CompiledWorkflow _workflow;
    private readonly bool[] _json;
    private readonly List<ParameterExpression> _variables = [];
    private readonly List<Ex> _body = [];
    private readonly Dictionary<int, Local> _slots = [];
    private readonly Dictionary<(int Slot, int Field), CachedField> _fields = [];

    // Where each field of a JSON input read in place lands in the json array (after the inputs), by (slot, field).
    private readonly Dictionary<(int Slot, int Field), int> _jsonFieldSlots = [];

    /// <summary>Inputs, then fields of JSON inputs: how long the json array passed to the body must be.</summary>
    public int JsonLength { get; private set; }

    private TypedCompiler(CompiledWorkflow workflow, bool[] json)
    {
        _workflow = workflow;
        _json = json;
    }

    /// <summary>A slot's typed value and, for inputs and parameters, the flag saying it was read or computed.</summary>
    private sealed record Local(ParameterExpression Value, ParameterExpression? Known, RuleType Type, bool Json);

    private sealed record CachedField(ParameterExpression Value, ParameterExpression State);

    /// <summary>A typed expression: its code, its static type, and whether an object or array is JSON read in place.</summary>
    private readonly record struct Typed(Ex Code, RuleType Type, bool Json);

    /// <summary>
    /// The typed body of <paramref name="workflow"/> for inputs whose JSON-ness is <paramref name="json"/> (by
    /// input position), or null when no rule of it can be typed.
    /// </summary>
    public static (TypedTier.Body Body, int JsonLength)? Compile(CompiledWorkflow workflow, bool[] json)
    {
        var compiler = new TypedCompiler(workflow, json);
        if (!compiler.EmitWorkflow()) return null;
        var lambda = Ex.Lambda<TypedTier.Body>(Ex.Block(compiler._variables, compiler._body), $"{workflow.Name}_typed",
            [ValuesParameter, JsonParameter, ResultsParameter]);
        return (lambda.Compile(), compiler.JsonLength);
    }

    private bool EmitWorkflow()
    {
        JsonLength = _workflow.Inputs.Length;
        var read = FieldsOfInputs();
        for (var i = 0; i < _workflow.Inputs.Length; i++) EmitInput(i, read);
        foreach (var global in _workflow.GlobalParams) EmitGlobal(global);
        var any = false;
        for (var i = 0; i < _workflow.Rules.Length; i++) any |= EmitRule(_workflow.Rules[i], i);
        _body.Add(Ex.Empty());
        return any;
    }

    // ---- inputs and parameters ----

    /// <summary>The fields read straight off each input (input.field), by input slot, in shape order.</summary>
    private Dictionary<int, SortedSet<int>> FieldsOfInputs()
    {
        var fields = new Dictionary<int, SortedSet<int>>();
        void Visit(BoundExpression? node)
        {
            switch (node)
            {
                case null:
                    return;
                case BoundField { Target: BoundSlot { Symbol.Kind: SymbolKind.Input } input, Target.Type.Shape: { } shape } field
                    when shape.Index.TryGetValue(field.Name, out var index):
                    if (!fields.TryGetValue(input.Symbol.Slot, out var set)) fields[input.Symbol.Slot] = set = [];
                    set.Add(index);
                    return;
                case BoundField field: Visit(field.Target); return;
                case BoundIndex index: Visit(index.Target); Visit(index.Index); return;
                case BoundUnary unary: Visit(unary.Operand); return;
                case BoundBinary binary: Visit(binary.Left); Visit(binary.Right); return;
                case BoundConditional conditional: Visit(conditional.Condition); Visit(conditional.WhenTrue); Visit(conditional.WhenFalse); return;
                case BoundIn @in: Visit(@in.Value); foreach (var item in @in.Items) Visit(item); return;
                case BoundLambda lambda: Visit(lambda.Body); return;
                case BoundCall call: Visit(call.Receiver); foreach (var argument in call.Arguments) Visit(argument); return;
                case BoundFunctionCall function: foreach (var argument in function.Arguments) Visit(argument); return;
            }
        }
        foreach (var global in _workflow.GlobalParams) Visit(global.Bound);
        foreach (var rule in _workflow.Rules)
        {
            Visit(rule.ConditionBound);
            Visit(rule.OnSuccess?.OutputBound);
            Visit(rule.OnFailure?.OutputBound);
        }
        return fields;
    }

    private void EmitInput(int index, Dictionary<int, SortedSet<int>> fieldsRead)
    {
        var symbol = _workflow.Inputs[index];
        var json = _json[index];
        var clr = ClrType(symbol.Type, json);
        if (clr is null) return;
        var value = Ex.Variable(clr, symbol.Name);
        var known = Ex.Variable(typeof(bool), $"{symbol.Name}_known");
        _variables.AddRange([value, known]);
        Ex source = json ? Ex.ArrayIndex(JsonParameter, Ex.Constant(index)) : Ex.ArrayIndex(ValuesParameter, Ex.Constant(index));
        var read = ReadCall(source, symbol.Type, json, value);
        // An absent or unreadable input is not known: every rule that reads it goes to the closures.
        _body.Add(Ex.Assign(known, read));
        if (json && symbol.Type.Shape is { } shape && fieldsRead.TryGetValue(symbol.Slot, out var fields))
        {
            // The fields the rules read are found in one pass over the object, not one search each.
            var names = fields.Select(f => shape.Utf8Names[f]).ToArray();
            var offset = JsonLength;
            foreach (var field in fields) _jsonFieldSlots[(symbol.Slot, field)] = JsonLength++;
            _body.Add(Ex.IfThen(known, Ex.Call(Method(nameof(TypedReads.JsonFields)), value, Ex.Constant(names), JsonParameter, Ex.Constant(offset))));
        }
        _slots[symbol.Slot] = new Local(value, known, symbol.Type, InPlace(symbol.Type, json));
    }

    private void EmitGlobal(CompiledParam global)
    {
        if (global.Bound is null || global.Evaluate is null) return;
        var bail = Ex.Label($"bail_{global.Name}");
        var scope = new Scope();
        var typed = Emit(global.Bound, bail, scope);
        if (typed is not { } t) return;
        var value = Ex.Variable(t.Code.Type, global.Name);
        var known = Ex.Variable(typeof(bool), $"{global.Name}_known");
        _variables.AddRange([value, known]);
        _body.Add(Ex.Block(
            Ex.TryCatch(
                Ex.Block(scope.Variables, Ex.Assign(value, t.Code), Ex.Assign(known, Ex.Constant(true)), Ex.Empty()),
                Ex.Catch(typeof(Exception), Ex.Empty())),
            Ex.Label(bail)));
        _slots[global.Slot] = new Local(value, known, t.Type, t.Json);
    }

    private bool EmitRule(CompiledRule rule, int index)
    {
        if (rule.BindError is not null || rule.Operator is not null || rule.LocalParams.Length > 0 || rule.ConditionBound is null) return false;
        var bail = Ex.Label($"bail_{rule.Name}");
        var scope = new Scope();
        if (Emit(rule.ConditionBound, bail, scope) is not { } condition || condition.Code.Type != typeof(bool)) return false;
        if (!TryOutput(rule.OnSuccess, bail, out var onSuccess) || !TryOutput(rule.OnFailure, bail, out var onFailure)) return false;

        var conditionValue = Ex.Variable(typeof(bool), "condition");
        var ruleConstant = Ex.Constant(rule);
        Ex achieved = onSuccess is null
            ? Ex.Constant(rule.Achieved, typeof(RuleResultTree))
            : Ex.Call(Method(nameof(TypedReads.WithOutput)), ruleConstant, Ex.Constant(true), onSuccess);
        Ex notAchieved = onFailure is null
            ? Ex.Constant(rule.NotAchieved, typeof(RuleResultTree))
            : Ex.Call(Method(nameof(TypedReads.WithOutput)), ruleConstant, Ex.Constant(false), onFailure);
        var statements = new List<Ex> { Ex.Assign(conditionValue, condition.Code) };
        // A NotAchieved rule with an ErrorMessage formats it from the frame: the closures do that.
        if (rule.ErrorMessage is not null) statements.Add(Ex.IfThen(Ex.Not(conditionValue), Ex.Goto(bail)));
        statements.Add(Ex.Assign(Ex.ArrayAccess(ResultsParameter, Ex.Constant(index)), Ex.Condition(conditionValue, achieved, notAchieved)));
        statements.Add(Ex.Empty());
        _body.Add(Ex.Block(
            Ex.TryCatch(Ex.Block([conditionValue, .. scope.Variables], statements), Ex.Catch(typeof(Exception), Ex.Empty())),
            Ex.Label(bail)));
        return true;
    }

    /// <summary>An OutputExpression action's value, boxed as the closures box it; false when it cannot be typed.</summary>
    private bool TryOutput(CompiledAction? action, LabelTarget bail, out Ex? output)
    {
        output = null;
        if (action is null) return true;
        if (action.Kind != RuleActionKind.OutputExpression || action.OutputBound is null || action.Output is null) return false;
        var scope = new Scope();
        if (Emit(action.OutputBound, bail, scope) is not { } typed || typed.Json || !IsScalar(typed.Code.Type)) return false;
        output = Ex.Block(scope.Variables, Ex.Convert(typed.Code, typeof(object)));
        return true;
    }

    // ---- expressions ----

    /// <summary>Variables a rule's code declares (lambda parameters, temporaries), and the lambda parameters in scope.</summary>
    private sealed class Scope
    {
        public List<ParameterExpression> Variables { get; } = [];

        public Dictionary<int, Local> Lambdas { get; } = [];

        public ParameterExpression Temp(Type type, string name)
        {
            var variable = Ex.Variable(type, name);
            Variables.Add(variable);
            return variable;
        }
    }

    private Typed? Emit(BoundExpression node, LabelTarget bail, Scope scope) => node switch
    {
        BoundLiteral literal => EmitLiteral(literal),
        BoundSlot slot => EmitSlot(slot, bail, scope),
        BoundField field => EmitField(field, bail, scope),
        BoundUnary unary => EmitUnary(unary, bail, scope),
        BoundBinary binary => EmitBinary(binary, bail, scope),
        BoundConditional conditional => EmitConditional(conditional, bail, scope),
        BoundIn @in => EmitIn(@in, bail, scope),
        BoundCall call => EmitCall(call, bail, scope),
        _ => null,
    };

    private static Typed? EmitLiteral(BoundLiteral literal) => literal.Value switch
    {
        null => new Typed(Ex.Constant(null, typeof(string)), RuleType.Null, false),
        long or decimal or string or bool or DateTime => new Typed(Ex.Constant(literal.Value), literal.Type, false),
        _ => null,
    };

    private Typed? EmitSlot(BoundSlot slot, LabelTarget bail, Scope scope)
    {
        var symbol = slot.Symbol;
        if (symbol.Kind == SymbolKind.LambdaParameter)
            return scope.Lambdas.TryGetValue(symbol.Slot, out var parameter) ? new Typed(parameter.Value, parameter.Type, parameter.Json) : null;
        if (symbol.Kind == SymbolKind.LocalParam || !_slots.TryGetValue(symbol.Slot, out var local)) return null;
        return new Typed(Ex.Block(Ex.IfThen(Ex.Not(local.Known!), Ex.Goto(bail)), local.Value), local.Type, local.Json);
    }

    private Typed? EmitField(BoundField field, LabelTarget bail, Scope scope)
    {
        if (field.Target.Type.Shape is not { } shape || !shape.Index.TryGetValue(field.Name, out var index)) return null;
        var fieldType = shape.Types[index];
        if (Emit(field.Target, bail, scope) is not { } target || target.Code.Type != ClrType(field.Target.Type, target.Json)) return null;
        var clr = ClrType(fieldType, target.Json);
        if (clr is null) return null;

        // A field of an input is read once per evaluation, whichever rules read it (see CachedRead).
        if (field.Target is BoundSlot { Symbol.Kind: SymbolKind.Input } input)
        {
            var (cached, fill) = CachedRead(input.Symbol, shape, index);
            var read = Ex.Block(fill, Ex.IfThen(Ex.NotEqual(cached.State, Ex.Constant((byte)1)), Ex.Goto(bail)), cached.Value);
            return new Typed(read, fieldType, InPlace(fieldType, target.Json));
        }

        Ex Source(Ex targetCode) => target.Json
            ? Ex.Call(Method(nameof(TypedReads.JsonField)), targetCode, Ex.Constant(shape.Utf8Names[index]))
            : Ex.Call(Method(nameof(TypedReads.Field)), targetCode, Ex.Constant(index));

        var value = scope.Temp(clr, field.Name);
        return new Typed(Ex.Block(Ex.IfThen(Ex.Not(ReadCall(Source(target.Code), fieldType, target.Json, value)), Ex.Goto(bail)), value), fieldType, InPlace(fieldType, target.Json));
    }

    /// <summary>
    /// The variables caching a field of an input — its value, and a state: 0 not read yet, 1 read, 2 unreadable —
    /// and the code that reads it if it has not been read. The first rule that needs the field reads it; reading every
    /// field right after its input was tried and measured slower at 20 000 participants (0.66 against 0.37 µs), though
    /// faster with the data in cache.
    /// </summary>
    private (CachedField Cached, Ex Fill) CachedRead(Symbol input, ObjectShape shape, int index)
    {
        var local = _slots[input.Slot];
        var fieldType = shape.Types[index];
        if (!_fields.TryGetValue((input.Slot, index), out var cached))
        {
            var clr = ClrType(fieldType, local.Json)!;
            cached = new CachedField(Ex.Variable(clr, $"{input.Name}_{shape.Names[index]}"), Ex.Variable(typeof(byte), $"{input.Name}_{shape.Names[index]}_state"));
            _variables.AddRange([cached.Value, cached.State]);
            _fields[(input.Slot, index)] = cached;
        }
        Ex source = local.Json
            ? _jsonFieldSlots.TryGetValue((input.Slot, index), out var at)
                ? Ex.ArrayIndex(JsonParameter, Ex.Constant(at))
                : Ex.Call(Method(nameof(TypedReads.JsonField)), local.Value, Ex.Constant(shape.Utf8Names[index]))
            : Ex.Call(Method(nameof(TypedReads.Field)), local.Value, Ex.Constant(index));
        var failed = Ex.Label($"unreadable_{shape.Names[index]}");
        var fill = Ex.IfThen(Ex.Equal(cached.State, Ex.Constant((byte)0)), Ex.Block(
            Ex.Assign(cached.State, Ex.Constant((byte)2)),
            Ex.IfThen(Ex.Not(local.Known!), Ex.Goto(failed)),
            Ex.IfThen(Ex.Not(ReadCall(source, fieldType, local.Json, cached.Value)), Ex.Goto(failed)),
            Ex.Assign(cached.State, Ex.Constant((byte)1)),
            Ex.Label(failed)));
        return (cached, fill);
    }

    private Typed? EmitUnary(BoundUnary unary, LabelTarget bail, Scope scope)
    {
        if (Emit(unary.Operand, bail, scope) is not { } operand) return null;
        var type = operand.Code.Type;
        return unary.Operator switch
        {
            BoundUnaryOperator.Not when type == typeof(bool) => new Typed(Ex.Not(operand.Code), unary.Type, false),
            BoundUnaryOperator.Negate when type == typeof(long) => new Typed(Ex.NegateChecked(operand.Code), unary.Type, false),
            BoundUnaryOperator.Negate when type == typeof(decimal) => new Typed(Ex.Negate(operand.Code), unary.Type, false),
            BoundUnaryOperator.Identity when type == typeof(long) || type == typeof(decimal) => operand,
            _ => null,
        };
    }

    private Typed? EmitBinary(BoundBinary binary, LabelTarget bail, Scope scope)
    {
        var op = binary.Operator;
        if (op is BoundBinaryOperator.Equal or BoundBinaryOperator.NotEqual) return EmitEquality(binary, bail, scope);
        if (op == BoundBinaryOperator.Coalesce) return null;
        if (Emit(binary.Left, bail, scope) is not { } left || Emit(binary.Right, bail, scope) is not { } right) return null;
        var (l, r) = (left.Code, right.Code);

        if (op is BoundBinaryOperator.And or BoundBinaryOperator.Or)
        {
            if (l.Type != typeof(bool) || r.Type != typeof(bool)) return null;
            return new Typed(op == BoundBinaryOperator.And ? Ex.AndAlso(l, r) : Ex.OrElse(l, r), binary.Type, false);
        }

        if (op is BoundBinaryOperator.Less or BoundBinaryOperator.LessOrEqual or BoundBinaryOperator.Greater or BoundBinaryOperator.GreaterOrEqual)
        {
            if (IsNumber(l.Type) && IsNumber(r.Type))
            {
                (l, r) = Widen(l, r);
                return new Typed(Comparison(op, l, r), binary.Type, false);
            }
            if (l.Type != r.Type) return null;
            if (l.Type == typeof(DateTime) || l.Type == typeof(TimeSpan)) return new Typed(Comparison(op, l, r), binary.Type, false);
            if (l.Type == typeof(string))
            {
                // A null string is missing to the closures.
                var compare = Ex.Call(typeof(string).GetMethod(nameof(string.CompareOrdinal), [typeof(string), typeof(string)])!, NotNull(l, bail, scope), NotNull(r, bail, scope));
                return new Typed(Comparison(op, compare, Ex.Constant(0)), binary.Type, false);
            }
            return null;
        }

        // Arithmetic, with the value model's promotion: long op long stays long (checked), else decimal.
        if (IsNumber(l.Type) && IsNumber(r.Type))
        {
            if (binary.Type.Kind == RuleTypeKind.String) return null;
            (l, r) = Widen(l, r);
            var isLong = l.Type == typeof(long);
            Ex code = op switch
            {
                BoundBinaryOperator.Add => isLong ? Ex.AddChecked(l, r) : Ex.Add(l, r),
                BoundBinaryOperator.Subtract => isLong ? Ex.SubtractChecked(l, r) : Ex.Subtract(l, r),
                BoundBinaryOperator.Multiply => isLong ? Ex.MultiplyChecked(l, r) : Ex.Multiply(l, r),
                BoundBinaryOperator.Divide => Ex.Divide(l, r),
                _ => Ex.Modulo(l, r),
            };
            return new Typed(code, binary.Type, false);
        }
        if (l.Type == typeof(DateTime) && op == BoundBinaryOperator.Subtract && (r.Type == typeof(DateTime) || r.Type == typeof(TimeSpan)))
            return new Typed(Ex.Subtract(l, r), binary.Type, false);
        if (l.Type == typeof(DateTime) && op == BoundBinaryOperator.Add && r.Type == typeof(TimeSpan))
            return new Typed(Ex.Add(l, r), binary.Type, false);
        return null;
    }

    private Typed? EmitEquality(BoundBinary binary, LabelTarget bail, Scope scope)
    {
        var equal = binary.Operator == BoundBinaryOperator.Equal;
        var leftNull = binary.Left is BoundLiteral { Value: null };
        var rightNull = binary.Right is BoundLiteral { Value: null };
        if (leftNull && rightNull) return new Typed(Ex.Constant(equal), RuleType.Boolean, false);
        if (leftNull || rightNull)
        {
            // "x == null" asks whether x is there. A value that reads is there, except a null string.
            if (Emit(rightNull ? binary.Left : binary.Right, bail, scope) is not { } other) return null;
            Ex isNull = other.Code.Type == typeof(string)
                ? Ex.Equal(other.Code, Ex.Constant(null, typeof(string)))
                : Ex.Block(other.Code, Ex.Constant(false));
            return new Typed(equal ? isNull : Ex.Not(isNull), RuleType.Boolean, false);
        }

        // field == "text" on JSON read in place: compared on the UTF-8 bytes, no string made.
        if (binary.Right is BoundLiteral { Value: string text } && JsonStringField(binary.Left, bail, scope) is { } element)
        {
            var same = scope.Temp(typeof(bool), "same");
            var compare = Ex.Block(
                Ex.IfThen(Ex.Not(Ex.Call(Method(nameof(TypedReads.JsonStringEquals)), element, Ex.Constant(System.Text.Encoding.UTF8.GetBytes(text)), same)), Ex.Goto(bail)),
                same);
            return new Typed(equal ? compare : Ex.Not(compare), RuleType.Boolean, false);
        }

        if (Emit(binary.Left, bail, scope) is not { } left || Emit(binary.Right, bail, scope) is not { } right) return null;
        var (l, r) = (left.Code, right.Code);
        Ex? code = null;
        if (IsNumber(l.Type) && IsNumber(r.Type))
        {
            (l, r) = Widen(l, r);
            code = Ex.Equal(l, r);
        }
        else if (l.Type == typeof(string) && r.Type == typeof(string))
        {
            code = Ex.Call(typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string)])!, l, r);
        }
        else if (l.Type == r.Type && (l.Type == typeof(bool) || l.Type == typeof(DateTime) || l.Type == typeof(TimeSpan)))
        {
            code = Ex.Equal(l, r);
        }
        if (code is null) return null;
        return new Typed(equal ? code : Ex.Not(code), RuleType.Boolean, false);
    }

    /// <summary>The raw JSON of a string field of an object read in place, for comparing without decoding it.</summary>
    private MethodCallExpression? JsonStringField(BoundExpression node, LabelTarget bail, Scope scope)
    {
        if (node is not BoundField field || field.Type.Kind != RuleTypeKind.String || field.Target.Type.Shape is not { } shape
            || !shape.Index.TryGetValue(field.Name, out var index) || shape.Types[index].Kind != RuleTypeKind.String)
            return null;
        // Fields of inputs are cached as strings already; this serves lambda elements (s.kind == "group").
        if (field.Target is BoundSlot { Symbol.Kind: SymbolKind.Input }) return null;
        if (Emit(field.Target, bail, scope) is not { Json: true } target || target.Code.Type != typeof(JsonElement)) return null;
        return Ex.Call(Method(nameof(TypedReads.JsonField)), target.Code, Ex.Constant(shape.Utf8Names[index]));
    }

    private Typed? EmitConditional(BoundConditional conditional, LabelTarget bail, Scope scope)
    {
        if (Emit(conditional.Condition, bail, scope) is not { } condition || condition.Code.Type != typeof(bool)) return null;
        if (Emit(conditional.WhenTrue, bail, scope) is not { } whenTrue || Emit(conditional.WhenFalse, bail, scope) is not { } whenFalse) return null;
        if (whenTrue.Json || whenFalse.Json) return null;
        var (t, f) = (whenTrue.Code, whenFalse.Code);
        // As in the closures, a number-typed iif gives a decimal whichever branch it takes.
        if (conditional.Type.Kind == RuleTypeKind.Number)
        {
            if (t.Type == typeof(long)) t = Ex.Convert(t, typeof(decimal));
            if (f.Type == typeof(long)) f = Ex.Convert(f, typeof(decimal));
        }
        if (t.Type != f.Type || !IsScalar(t.Type)) return null;
        return new Typed(Ex.Condition(condition.Code, t, f), conditional.Type, false);
    }

    private Typed? EmitIn(BoundIn @in, LabelTarget bail, Scope scope)
    {
        if (!@in.IsList || !@in.Items.All(i => i is BoundLiteral)) return null;
        if (Emit(@in.Value, bail, scope) is not { } value || value.Json) return null;
        var v = scope.Temp(value.Code.Type, "candidate");
        Ex? any = null;
        foreach (var item in @in.Items)
        {
            var constant = ((BoundLiteral)item).Value;
            Ex? test = (v.Type, constant) switch
            {
                _ when v.Type == typeof(string) => constant is null or string
                    ? Ex.Call(typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string)])!, v, Ex.Constant(constant, typeof(string)))
                    : Ex.Constant(false),
                _ when v.Type == typeof(long) => constant switch
                {
                    long n => Ex.Equal(v, Ex.Constant(n)),
                    decimal d => Ex.Equal(Ex.Convert(v, typeof(decimal)), Ex.Constant(d)),
                    _ => Ex.Constant(false),
                },
                _ when v.Type == typeof(decimal) => constant switch
                {
                    long n => Ex.Equal(v, Ex.Constant((decimal)n)),
                    decimal d => Ex.Equal(v, Ex.Constant(d)),
                    _ => Ex.Constant(false),
                },
                _ when v.Type == typeof(bool) => constant is bool b ? Ex.Equal(v, Ex.Constant(b)) : Ex.Constant(false),
                _ when v.Type == typeof(DateTime) => constant is DateTime d ? Ex.Equal(v, Ex.Constant(d)) : Ex.Constant(false),
                _ => null,
            };
            if (test is null) return null;
            any = any is null ? test : Ex.OrElse(any, test);
        }
        return new Typed(Ex.Block(Ex.Assign(v, value.Code), any ?? Ex.Constant(false)), RuleType.Boolean, false);
    }

    private Typed? EmitCall(BoundCall call, LabelTarget bail, Scope scope)
    {
        var lambda = call.Arguments.Count > 0 ? call.Arguments[0] as BoundLambda : null;
        if (call.Receiver is null)
        {
            // Convert.ToDecimal of a number, which the binder puts around integers from data that are divided.
            if (call.Method != BuiltinMethod.ConvertToNumber || call.Arguments.Count != 1 || Emit(call.Arguments[0], bail, scope) is not { } argument) return null;
            if (argument.Code.Type == typeof(long)) return new Typed(Ex.Convert(argument.Code, typeof(decimal)), call.Type, false);
            return argument.Code.Type == typeof(decimal) ? argument with { Type = call.Type } : null;
        }
        if (Emit(call.Receiver, bail, scope) is not { } receiver) return null;
        var arguments = new List<Ex>();
        foreach (var argument in call.Arguments.Where(a => a is not BoundLambda))
        {
            if (Emit(argument, bail, scope) is not { } typed || typed.Json) return null;
            arguments.Add(typed.Code);
        }
        var r = receiver.Code;
        Ex? code = (call.Method, r.Type) switch
        {
            (BuiltinMethod.Count or BuiltinMethod.Any or BuiltinMethod.All or BuiltinMethod.Sum, _) when call.Receiver.Type.Kind == RuleTypeKind.Array =>
                EmitLoop(call, receiver, lambda, bail, scope),
            (BuiltinMethod.TotalDays, var t) when t == typeof(TimeSpan) => Ex.Call(typeof(RuntimeValues).GetMethod(nameof(RuntimeValues.TotalDays))!, r),
            (BuiltinMethod.Days, var t) when t == typeof(TimeSpan) => OnValue(r, v => Ex.Convert(Ex.Property(v, nameof(TimeSpan.Days)), typeof(long)), scope),
            (BuiltinMethod.Year or BuiltinMethod.Month or BuiltinMethod.Day, var t) when t == typeof(DateTime) =>
                OnValue(r, v => Ex.Convert(Ex.Property(v, call.Method.ToString()), typeof(long)), scope),
            (BuiltinMethod.AddDays, var t) when t == typeof(DateTime) && arguments.Count == 1 && IsNumber(arguments[0].Type) =>
                OnValue(r, v => Ex.Call(v, typeof(DateTime).GetMethod(nameof(DateTime.AddDays))!, Ex.Convert(arguments[0], typeof(double))), scope),
            (BuiltinMethod.AddMonths or BuiltinMethod.AddYears, var t) when t == typeof(DateTime) && arguments.Count == 1 && arguments[0].Type == typeof(long) =>
                OnValue(r, v => Ex.Call(v, typeof(DateTime).GetMethod(call.Method.ToString())!, Ex.ConvertChecked(arguments[0], typeof(int))), scope),
            (BuiltinMethod.Length, var t) when t == typeof(string) => Ex.Convert(Ex.Property(NotNull(r, bail, scope), nameof(string.Length)), typeof(long)),
            (BuiltinMethod.StartsWith or BuiltinMethod.EndsWith or BuiltinMethod.Contains, var t)
                when t == typeof(string) && arguments.Count == 1 && arguments[0].Type == typeof(string) =>
                Ex.Call(NotNull(r, bail, scope), typeof(string).GetMethod(call.Method.ToString(), [typeof(string), typeof(StringComparison)])!,
                    NotNull(arguments[0], bail, scope), Ex.Constant(StringComparison.Ordinal)),
            (BuiltinMethod.ToLower or BuiltinMethod.ToUpper, var t) when t == typeof(string) =>
                Ex.Call(NotNull(r, bail, scope), typeof(string).GetMethod(call.Method == BuiltinMethod.ToLower ? nameof(string.ToLowerInvariant) : nameof(string.ToUpperInvariant), Type.EmptyTypes)!),
            (BuiltinMethod.Trim, var t) when t == typeof(string) => Ex.Call(NotNull(r, bail, scope), typeof(string).GetMethod(nameof(string.Trim), Type.EmptyTypes)!),
            _ => null,
        };
        if (code is null) return null;
        // As in the closures, a number-typed call gives a decimal.
        if (call.Type.Kind == RuleTypeKind.Number && code.Type == typeof(long)) code = Ex.Convert(code, typeof(decimal));
        return new Typed(code, call.Type, false);
    }

    /// <summary>Count, Any, All and Sum over an array, with or without a lambda, as a loop over its elements.</summary>
    private Ex? EmitLoop(BoundCall call, Typed receiver, BoundLambda? lambda, LabelTarget bail, Scope scope)
    {
        var method = call.Method;
        if (receiver.Code.Type != ClrType(call.Receiver!.Type, receiver.Json)) return null;
        if (lambda is null)
        {
            if (method is not (BuiltinMethod.Count or BuiltinMethod.Any)) return null;
            Ex length = receiver.Json
                ? OnValue(receiver.Code, v => Ex.Call(v, typeof(JsonElement).GetMethod(nameof(JsonElement.GetArrayLength))!), scope)
                : Ex.ArrayLength(receiver.Code);
            return method == BuiltinMethod.Count ? Ex.Convert(length, typeof(long)) : Ex.GreaterThan(length, Ex.Constant(0));
        }

        var elementType = lambda.Parameter.Type;
        var elementClr = ClrType(elementType, receiver.Json);
        if (elementClr is null) return null;
        var element = scope.Temp(elementClr, lambda.Parameter.Name);
        scope.Lambdas[lambda.Parameter.Slot] = new Local(element, null, elementType, InPlace(elementType, receiver.Json));
        var body = Emit(lambda.Body, bail, scope);
        scope.Lambdas.Remove(lambda.Parameter.Slot);
        if (body is not { } b || b.Json) return null;

        var done = Ex.Label(typeof(void), "done");
        Ex result;
        ParameterExpression accumulator;
        Ex step;
        switch (method)
        {
            case BuiltinMethod.Count when b.Code.Type == typeof(bool):
                accumulator = scope.Temp(typeof(long), "count");
                step = Ex.IfThen(b.Code, Ex.PreIncrementAssign(accumulator));
                result = accumulator;
                break;
            case BuiltinMethod.Any when b.Code.Type == typeof(bool):
                // Stops at the first match, as the closures do; an element before it that cannot be read goes to them.
                accumulator = scope.Temp(typeof(bool), "any");
                step = Ex.IfThen(b.Code, Ex.Block(Ex.Assign(accumulator, Ex.Constant(true)), Ex.Break(done)));
                result = accumulator;
                break;
            case BuiltinMethod.All when b.Code.Type == typeof(bool):
                accumulator = scope.Temp(typeof(bool), "all");
                step = Ex.IfThen(Ex.Not(b.Code), Ex.Block(Ex.Assign(accumulator, Ex.Constant(false)), Ex.Break(done)));
                result = accumulator;
                break;
            case BuiltinMethod.Sum when b.Code.Type == typeof(long) || b.Code.Type == typeof(decimal):
                accumulator = scope.Temp(b.Code.Type, "sum");
                step = Ex.Assign(accumulator, b.Code.Type == typeof(long) ? Ex.AddChecked(accumulator, b.Code) : Ex.Add(accumulator, b.Code));
                result = accumulator;
                break;
            default:
                return null;
        }
        Ex initial = method switch
        {
            BuiltinMethod.All => Ex.Constant(true),
            BuiltinMethod.Any => Ex.Constant(false),
            _ => Ex.Default(accumulator.Type),
        };

        Ex loop;
        if (receiver.Json)
        {
            var enumerator = scope.Temp(typeof(JsonElement.ArrayEnumerator), "elements");
            var readElement = ReadInto(Ex.Property(enumerator, nameof(JsonElement.ArrayEnumerator.Current)), elementType, json: true, element, bail);
            loop = Ex.Block(
                Ex.Assign(enumerator, OnValue(receiver.Code, v => Ex.Call(v, typeof(JsonElement).GetMethod(nameof(JsonElement.EnumerateArray))!), scope)),
                Ex.Loop(
                    Ex.IfThenElse(Ex.Call(enumerator, typeof(JsonElement.ArrayEnumerator).GetMethod(nameof(JsonElement.ArrayEnumerator.MoveNext))!),
                        Ex.Block(readElement, step),
                        Ex.Break(done)),
                    done));
        }
        else
        {
            var array = scope.Temp(typeof(object?[]), "array");
            var i = scope.Temp(typeof(int), "i");
            var readElement = ReadInto(Ex.ArrayIndex(array, i), elementType, json: false, element, bail);
            loop = Ex.Block(
                Ex.Assign(array, receiver.Code),
                Ex.Assign(i, Ex.Constant(0)),
                Ex.Loop(
                    Ex.IfThenElse(Ex.LessThan(i, Ex.ArrayLength(array)),
                        Ex.Block(readElement, step, Ex.PreIncrementAssign(i)),
                        Ex.Break(done)),
                    done));
        }
        return Ex.Block(Ex.Assign(accumulator, initial), loop, result);
    }

    // ---- reading values ----

    /// <summary>Reads <paramref name="source"/> into <paramref name="target"/> as <paramref name="type"/>, or jumps to <paramref name="bail"/>.</summary>
    private static ConditionalExpression ReadInto(Ex source, RuleType type, bool json, ParameterExpression target, LabelTarget bail) =>
        Ex.IfThen(Ex.Not(ReadCall(source, type, json, target)), Ex.Goto(bail));

    /// <summary>The call that reads a value of <paramref name="type"/> from the value model or JSON into <paramref name="target"/>.</summary>
    private static MethodCallExpression ReadCall(Ex source, RuleType type, bool json, ParameterExpression target)
    {
        if (json)
        {
            return type.Kind switch
            {
                RuleTypeKind.Boolean => Ex.Call(Method(nameof(TypedReads.JsonBoolean)), source, target),
                RuleTypeKind.Integer => Ex.Call(Method(nameof(TypedReads.JsonLong)), source, target),
                RuleTypeKind.Number => Ex.Call(Method(nameof(TypedReads.JsonDecimal)), source, target),
                RuleTypeKind.String => Ex.Call(Method(nameof(TypedReads.JsonString)), source, target),
                RuleTypeKind.Date => Ex.Call(Method(nameof(TypedReads.JsonDate)), source, Ex.Constant(type), target),
                RuleTypeKind.Object => Ex.Call(Method(nameof(TypedReads.JsonObject)), source, target),
                RuleTypeKind.Array => Ex.Call(Method(nameof(TypedReads.JsonArray)), source, target),
                _ => throw new InvalidOperationException($"No JSON reader for {type.DisplayName}."),
            };
        }
        return type.Kind switch
        {
            RuleTypeKind.Boolean => Ex.Call(Method(nameof(TypedReads.Boolean)), source, target),
            RuleTypeKind.Integer => Ex.Call(Method(nameof(TypedReads.Long)), source, target),
            RuleTypeKind.Number => Ex.Call(Method(nameof(TypedReads.Decimal)), source, target),
            RuleTypeKind.String => Ex.Call(Method(nameof(TypedReads.String)), source, target),
            RuleTypeKind.Date => Ex.Call(Method(nameof(TypedReads.Date)), source, target),
            RuleTypeKind.TimeSpan => Ex.Call(Method(nameof(TypedReads.TimeSpan)), source, target),
            RuleTypeKind.Object => Ex.Call(Method(nameof(TypedReads.Record)), source, Ex.Constant(type.Shape), target),
            RuleTypeKind.Array => Ex.Call(Method(nameof(TypedReads.Array)), source, target),
            _ => throw new InvalidOperationException($"No reader for {type.DisplayName}."),
        };
    }

    /// <summary>The CLR type the typed code holds a value of <paramref name="type"/> in, or null when it does not type it.</summary>
    private static Type? ClrType(RuleType type, bool json) => type.Kind switch
    {
        RuleTypeKind.Boolean => typeof(bool),
        RuleTypeKind.Integer => typeof(long),
        RuleTypeKind.Number => typeof(decimal),
        RuleTypeKind.String => typeof(string),
        RuleTypeKind.Date => typeof(DateTime),
        RuleTypeKind.TimeSpan => json ? null : typeof(TimeSpan),
        RuleTypeKind.Object when type.Shape is not null => json ? typeof(JsonElement) : typeof(RuleRecord),
        RuleTypeKind.Array => json ? typeof(JsonElement) : typeof(object?[]),
        _ => null,
    };

    /// <summary>A string the closures would see as missing when null: null goes to them.</summary>
    private static Ex NotNull(Ex value, LabelTarget bail, Scope scope)
    {
        if (value.Type != typeof(string)) return value;
        var temp = scope.Temp(typeof(string), "text");
        return Ex.Block(Ex.Assign(temp, value), Ex.IfThen(Ex.Equal(temp, Ex.Constant(null, typeof(string))), Ex.Goto(bail)), temp);
    }

    /// <summary>
    /// Uses a value-typed <paramref name="value"/> as the instance of a member access from a variable: the
    /// expression compiler cannot take the address of a value computed by a block that may jump.
    /// </summary>
    private static Ex OnValue(Ex value, Func<Ex, Ex> use, Scope scope)
    {
        if (value is ParameterExpression || !value.Type.IsValueType) return use(value);
        var temp = scope.Temp(value.Type, "instance");
        return Ex.Block(Ex.Assign(temp, value), use(temp));
    }

    /// <summary>Whether a value of <paramref name="type"/> read from JSON stays JSON (an object or array) rather than a CLR value.</summary>
    private static bool InPlace(RuleType type, bool json) => json && type.Kind is RuleTypeKind.Object or RuleTypeKind.Array;

    private static bool IsNumber(Type type) => type == typeof(long) || type == typeof(decimal);

    private static bool IsScalar(Type type) =>
        type == typeof(bool) || IsNumber(type) || type == typeof(string) || type == typeof(DateTime) || type == typeof(TimeSpan);

    private static (Ex Left, Ex Right) Widen(Ex left, Ex right) =>
        left.Type == right.Type ? (left, right) : (Ex.Convert(left, typeof(decimal)), Ex.Convert(right, typeof(decimal)));

    private static BinaryExpression Comparison(BoundBinaryOperator op, Ex left, Ex right) => op switch
    {
        BoundBinaryOperator.Less => Ex.LessThan(left, right),
        BoundBinaryOperator.LessOrEqual => Ex.LessThanOrEqual(left, right),
        BoundBinaryOperator.Greater => Ex.GreaterThan(left, right),
        _ => Ex.GreaterThanOrEqual(left, right),
    };

    private static MethodInfo Method(string name) =>
        typeof(TypedReads).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"No TypedReads.{name}.");
}
