using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Syntax;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Binding;

/// <summary>
/// Gives a syntax tree its meaning: resolves every name against the inputs, parameters and the member allow-list,
/// computes static types from the inputs' <see cref="RuleType"/>s, and reports what does not fit (unknown field,
/// wrong operand types, forbidden member) with a did-you-mean. Anything not on the allow-list is refused here, so
/// it can never reach the compiler, let alone run.
/// </summary>
internal sealed class Binder
{
    private static readonly HashSet<string> StaticClasses = new(StringComparer.Ordinal)
    {
        "Math", "Convert", "DateTime", "string", "String", "int", "long", "decimal", "double",
    };

    // Names that people try in order to reach beyond the data. They are refused with a message that says why,
    // rather than "unknown name", so that nobody mistakes the refusal for a typo to be fixed.
    private static readonly HashSet<string> ForbiddenNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "GetType", "typeof", "nameof", "sizeof", "default", "Activator", "AppDomain", "Assembly", "Environment",
        "Process", "File", "Directory", "Path", "Type", "System", "Reflection", "Now", "UtcNow", "Today", "Invoke",
        "DynamicInvoke", "Compile", "CreateInstance", "GetMethod", "GetMethods", "GetProperty", "GetField", "Load",
        "LoadFrom", "Exit", "FailFast", "GC", "Console", "Thread", "Task", "Marshal", "Unsafe", "Expression",
        "Delegate", "dynamic", "object", "Object", "ToString", "Equals", "GetHashCode", "MemberwiseClone",
        "Finalize", "Timer", "HttpClient", "WebClient", "Socket", "Registry", "Runtime", "Interop", "IO", "Net",
        "Diagnostics", "Threading", "Stopwatch", "Random", "Guid", "Cast", "OfType", "As", "Is", "AsQueryable",
    };

    private static readonly Dictionary<string, BuiltinMethod> StringMembers = new(StringComparer.Ordinal)
    {
        ["Contains"] = BuiltinMethod.Contains,
        ["StartsWith"] = BuiltinMethod.StartsWith,
        ["EndsWith"] = BuiltinMethod.EndsWith,
        ["ToLower"] = BuiltinMethod.ToLower,
        ["ToUpper"] = BuiltinMethod.ToUpper,
        ["Trim"] = BuiltinMethod.Trim,
        ["Substring"] = BuiltinMethod.Substring,
        ["IndexOf"] = BuiltinMethod.IndexOf,
        ["Length"] = BuiltinMethod.Length,
        ["Replace"] = BuiltinMethod.Replace,
        ["TrimStart"] = BuiltinMethod.TrimStart,
        ["TrimEnd"] = BuiltinMethod.TrimEnd,
        ["Split"] = BuiltinMethod.Split,
    };

    private static readonly Dictionary<string, BuiltinMethod> DateMembers = new(StringComparer.Ordinal)
    {
        ["AddDays"] = BuiltinMethod.AddDays,
        ["AddMonths"] = BuiltinMethod.AddMonths,
        ["AddYears"] = BuiltinMethod.AddYears,
        ["Year"] = BuiltinMethod.Year,
        ["Month"] = BuiltinMethod.Month,
        ["Day"] = BuiltinMethod.Day,
    };

    private static readonly Dictionary<string, BuiltinMethod> TimeSpanMembers = new(StringComparer.Ordinal)
    {
        ["TotalDays"] = BuiltinMethod.TotalDays,
        ["Days"] = BuiltinMethod.Days,
    };

    private static readonly Dictionary<string, BuiltinMethod> ArrayMembers = new(StringComparer.Ordinal)
    {
        ["Any"] = BuiltinMethod.Any,
        ["All"] = BuiltinMethod.All,
        ["Count"] = BuiltinMethod.Count,
        ["Sum"] = BuiltinMethod.Sum,
        ["Min"] = BuiltinMethod.Min,
        ["Max"] = BuiltinMethod.Max,
        ["Average"] = BuiltinMethod.Average,
        ["Where"] = BuiltinMethod.Where,
        ["Select"] = BuiltinMethod.Select,
        ["First"] = BuiltinMethod.First,
        ["FirstOrDefault"] = BuiltinMethod.FirstOrDefault,
        ["Last"] = BuiltinMethod.Last,
        ["LastOrDefault"] = BuiltinMethod.LastOrDefault,
        ["Single"] = BuiltinMethod.Single,
        ["SingleOrDefault"] = BuiltinMethod.SingleOrDefault,
        ["SelectMany"] = BuiltinMethod.SelectMany,
        ["Contains"] = BuiltinMethod.Contains,
        ["Distinct"] = BuiltinMethod.Distinct,
        ["OrderBy"] = BuiltinMethod.OrderBy,
        ["OrderByDescending"] = BuiltinMethod.OrderByDescending,
        ["Take"] = BuiltinMethod.Take,
        ["Skip"] = BuiltinMethod.Skip,
    };

    private static readonly Dictionary<string, Dictionary<string, BuiltinMethod>> StaticMembers = new(StringComparer.Ordinal)
    {
        ["Math"] = new(StringComparer.Ordinal)
        {
            ["Abs"] = BuiltinMethod.MathAbs,
            ["Min"] = BuiltinMethod.MathMin,
            ["Max"] = BuiltinMethod.MathMax,
            ["Round"] = BuiltinMethod.MathRound,
            ["Floor"] = BuiltinMethod.MathFloor,
            ["Ceiling"] = BuiltinMethod.MathCeiling,
            ["Pow"] = BuiltinMethod.MathPow,
        },
        ["Convert"] = new(StringComparer.Ordinal)
        {
            ["ToInt16"] = BuiltinMethod.ConvertToInteger,
            ["ToInt32"] = BuiltinMethod.ConvertToInteger,
            ["ToInt64"] = BuiltinMethod.ConvertToInteger,
            ["ToDecimal"] = BuiltinMethod.ConvertToNumber,
            ["ToDouble"] = BuiltinMethod.ConvertToNumber,
            ["ToSingle"] = BuiltinMethod.ConvertToNumber,
            ["ToString"] = BuiltinMethod.ConvertToString,
            ["ToBoolean"] = BuiltinMethod.ConvertToBoolean,
            ["ToDateTime"] = BuiltinMethod.ConvertToDate,
        },
        ["DateTime"] = new(StringComparer.Ordinal) { ["Parse"] = BuiltinMethod.DateTimeParse },
        ["string"] = new(StringComparer.Ordinal)
        {
            ["IsNullOrEmpty"] = BuiltinMethod.StringIsNullOrEmpty,
            ["IsNullOrWhiteSpace"] = BuiltinMethod.StringIsNullOrWhiteSpace,
        },
        // int.Parse(input.count) and friends: RulesEngine users parse numbers kept as strings in JSON this way.
        ["int"] = new(StringComparer.Ordinal) { ["Parse"] = BuiltinMethod.ConvertToInteger },
        ["long"] = new(StringComparer.Ordinal) { ["Parse"] = BuiltinMethod.ConvertToInteger },
        ["decimal"] = new(StringComparer.Ordinal) { ["Parse"] = BuiltinMethod.ConvertToNumber },
        ["double"] = new(StringComparer.Ordinal) { ["Parse"] = BuiltinMethod.ConvertToNumber },
    };

    /// <summary>
    /// How to write what the allow-list lacks (RulesEngine users reach for any .NET member, such as PadLeft or
    /// Math.Sqrt): appended to every "not an allowed member" diagnostic.
    /// </summary>
    private const string OutsideAllowList =
        " Only the members under 'Allowed members' in docs/writing-outcome-rules.md can be called; write other logic as a template function, fn.name(…).";

    private static readonly HashSet<BuiltinMethod> PropertyMembers =
    [
        BuiltinMethod.Length, BuiltinMethod.Year, BuiltinMethod.Month, BuiltinMethod.Day,
        BuiltinMethod.TotalDays, BuiltinMethod.Days,
    ];

    private readonly SlotAllocator _slots;
    private readonly IRuleFunctions? _functions;
    private readonly ExpressionSource _source;
    private readonly string? _ruleName;
    private readonly List<Diagnostic> _diagnostics;
    private BindingScope _scope;
    private int _errorCount;

    /// <summary>The element of the innermost implicit lambda (<c>xs.Any(amount &gt; 1)</c>), whose fields are names.</summary>
    private Symbol? _implicitElement;

    private readonly Compilation.CompilationFacts? _facts;

    public Binder(BindingScope scope, SlotAllocator slots, IRuleFunctions? functions, ExpressionSource source, string? ruleName, List<Diagnostic> diagnostics,
        Compilation.CompilationFacts? facts = null)
    {
        _facts = facts;
        _scope = scope;
        _slots = slots;
        _functions = functions;
        _source = source;
        _ruleName = ruleName;
        _diagnostics = diagnostics;
    }

    public bool HasErrors => _errorCount > 0;

    /// <summary>Parses and binds an expression; null when it has a syntax or binding error (already reported).</summary>
    public static BoundExpression? Bind(
        ExpressionSource source, BindingScope scope, SlotAllocator slots, IRuleFunctions? functions, string? ruleName,
        List<Diagnostic> diagnostics, Compilation.CompilationFacts? facts = null)
    {
        var (root, errors) = Parser.Parse(source.Text);
        foreach (var error in errors)
            diagnostics.Add(new Diagnostic(error.Code, DiagnosticSeverity.Error, error.Message, source.LocationAt(error.Span.Start), ruleName));
        if (root is null) return null;
        var binder = new Binder(scope, slots, functions, source, ruleName, diagnostics, facts);
        var bound = binder.BindExpression(root);
        return binder.HasErrors ? null : bound;
    }

    /// <summary>Notes that a field of a known object type is read, for the loader's unread-parameter check.</summary>
    private BoundField Read(RuleType owner, BoundField field)
    {
        _facts?.RecordRead(owner, field.Name);
        return field;
    }

    public BoundExpression BindExpression(ExpressionSyntax syntax) => syntax switch
    {
        LiteralExpressionSyntax literal => BindLiteral(literal),
        NameExpressionSyntax name => BindName(name),
        MemberAccessExpressionSyntax member => BindMemberAccess(member),
        CallExpressionSyntax call => BindCall(call),
        IndexExpressionSyntax index => BindIndex(index),
        UnaryExpressionSyntax unary => BindUnary(unary),
        BinaryExpressionSyntax binary => BindBinary(binary),
        ConditionalExpressionSyntax conditional => BindConditional(conditional),
        InExpressionSyntax @in => BindIn(@in),
        LambdaExpressionSyntax lambda => Error(DiagnosticCodes.InvalidLambda,
            "A lambda (x => …) can only be an argument of Any, All, Count, Sum, Min, Max, Average, Where, Select, SelectMany, First, FirstOrDefault, Last, LastOrDefault, Single, SingleOrDefault, OrderBy or OrderByDescending.",
            lambda.Span),
        _ => Error(DiagnosticCodes.UnexpectedToken, "Unsupported expression.", syntax.Span),
    };

    private string Text(TextSpan span) => _source.Text.Substring(span.Start, span.Length);

    private BoundErrorExpression Error(string code, string message, TextSpan span)
    {
        _errorCount++;
        _diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, message, _source.LocationAt(span.Start), _ruleName));
        return new BoundErrorExpression(span, Text(span));
    }

    private static bool IsError(BoundExpression expression) => expression is BoundErrorExpression;

    private BoundLiteral BindLiteral(LiteralExpressionSyntax literal)
    {
        var type = literal.Value switch
        {
            null => RuleType.Null,
            bool => RuleType.Boolean,
            long => RuleType.Integer,
            decimal => RuleType.Number,
            _ => RuleType.String,
        };
        var value = literal.Value is bool b ? Boxes.Box(b) : literal.Value;
        return new BoundLiteral(value, type, literal.Span, Text(literal.Span));
    }

    private BoundExpression BindName(NameExpressionSyntax name)
    {
        if (_scope.TryLookup(name.Name, out var symbol)) return new BoundSlot(symbol, name.Span, name.Name);
        if (_implicitElement is { } element && ImplicitField(element, name) is { } field) return field;
        if (ForbiddenNames.Contains(name.Name)) return Forbidden(name.Name, name.Span);
        if (StaticClasses.Contains(name.Name) || name.Name == "fn")
            return Error(DiagnosticCodes.NotAValue, $"'{name.Name}' is not a value; use one of its members, e.g. {ExampleMember(name.Name)}.", name.Span);
        if (name.Name == "TimeSpan")
            return Error(DiagnosticCodes.UnknownName,
                "'TimeSpan' is not available; compare the days of a difference instead: (a - b).TotalDays > 30.", name.Span);
        if (string.Equals(name.Name, "it", StringComparison.OrdinalIgnoreCase))
            return Error(DiagnosticCodes.UnknownName,
                "'it' is the element inside a LINQ method's argument, as in xs.Any(it.amount > 100); there is none here.", name.Span);
        var candidates = _scope.VisibleNames.Concat(StaticClasses)
            .Concat(_implicitElement?.Type.Properties?.Keys ?? Enumerable.Empty<string>());
        return Error(DiagnosticCodes.UnknownName, $"Unknown name '{name.Name}'.{NameSuggestions.Hint(name.Name, candidates)}", name.Span);
    }

    /// <summary>
    /// A bare name inside an implicit lambda reads that field of the element, as in Dynamic LINQ, after inputs and
    /// parameters (which Dynamic LINQ also looks up first). On an element of unknown fields every name that is not
    /// a forbidden or static name is a field, checked when the rule runs, as <c>x.name</c> would be.
    /// </summary>
    private BoundField? ImplicitField(Symbol element, NameExpressionSyntax name)
    {
        var type = element.Type;
        var slot = new BoundSlot(element, name.Span, "it");
        if (type.Kind == RuleTypeKind.Object && type.Properties is not null)
            return type.Properties.TryGetValue(name.Name, out var fieldType)
                ? Read(type, new BoundField(slot, name.Name, fieldType, name.Span, name.Name))
                : null;
        if (type.Kind is not (RuleTypeKind.Object or RuleTypeKind.Any)) return null;
        if (ForbiddenNames.Contains(name.Name) || StaticClasses.Contains(name.Name) || name.Name == "fn") return null;
        return new BoundField(slot, name.Name, RuleType.Any, name.Span, name.Name);
    }

    private static string ExampleMember(string staticName) => staticName switch
    {
        "Math" => "Math.Abs(x)",
        "Convert" => "Convert.ToDecimal(x)",
        "DateTime" => "DateTime.Parse(\"2024-01-31\")",
        "fn" => "fn.name(x)",
        "int" or "long" or "decimal" or "double" => $"{staticName}.Parse(s)",
        _ => "string.IsNullOrEmpty(s)",
    };

    private BoundErrorExpression Forbidden(string name, TextSpan span)
    {
        var why = name is "Now" or "UtcNow" or "Today"
            ? "rules have no clock; use the 'asOf' input so that results can be reproduced"
            : "rules can only read their inputs and call the allowed members (no reflection, types, files, network, environment or process)";
        return Error(DiagnosticCodes.ForbiddenMember, $"'{name}' is not allowed: {why}.", span);
    }

    private bool IsStaticClassName(ExpressionSyntax syntax, out string name)
    {
        name = syntax is NameExpressionSyntax n ? n.Name : "";
        return syntax is NameExpressionSyntax && StaticClasses.Contains(name) && !_scope.TryLookup(name, out _);
    }

    private bool IsFunctionsName(ExpressionSyntax syntax) =>
        syntax is NameExpressionSyntax { Name: "fn" } && !_scope.TryLookup("fn", out _);

    private BoundExpression BindMemberAccess(MemberAccessExpressionSyntax member)
    {
        var name = member.Name.Text;
        var forbidden = ForbiddenNames.Contains(name);
        if (forbidden && (IsStaticClassName(member.Target, out _) || IsFunctionsName(member.Target))) return Forbidden(name, member.Name.Span);
        if (IsStaticClassName(member.Target, out var className) && className is "string" or "String" && name == "Empty")
            return new BoundLiteral("", RuleType.String, member.Span, Text(member.Span));
        if (IsStaticClassName(member.Target, out className))
            return Error(DiagnosticCodes.UnknownMethod,
                $"'{className}.{name}' is not an allowed value; only calls such as {ExampleMember(className)} are.", member.Name.Span);
        if (IsFunctionsName(member.Target))
            return Error(DiagnosticCodes.InvalidLambda, $"Custom function 'fn.{name}' must be called with arguments: fn.{name}(…).", member.Span);

        var target = BindExpression(member.Target);
        if (IsError(target)) return target;
        // A field the data declares (case.type, file.path) is data, whatever its name: the forbidden names are meant
        // for members of .NET types. On a value of unknown type the name stays refused.
        if (forbidden && !(target.Type is { Kind: RuleTypeKind.Object, Properties: { } declared } && declared.ContainsKey(name)))
            return Forbidden(name, member.Name.Span);
        var span = member.Span;
        var text = Text(span);
        var type = target.Type;
        switch (type.Kind)
        {
            case RuleTypeKind.Any:
                return new BoundField(target, name, RuleType.Any, span, text);
            case RuleTypeKind.Object when type.Properties is null:
                return new BoundField(target, name, RuleType.Any, span, text);
            case RuleTypeKind.Object:
                if (type.Properties.TryGetValue(name, out var fieldType)) return Read(type, new BoundField(target, name, fieldType, span, text));
                return Error(DiagnosticCodes.UnknownProperty,
                    $"'{Text(member.Target.Span)}' has no field '{name}'.{NameSuggestions.Hint(name, type.Properties.Keys)}", member.Name.Span);
            case RuleTypeKind.Array when name is "Count" or "Length":
                return BindMethod(BuiltinMethod.Count, target, [], span, member.Name.Span);
        }
        if (type.Kind == RuleTypeKind.Date && StringMembers.ContainsKey(name))
            return Error(DiagnosticCodes.UnknownMethod, DateIsNotAString(target, name), member.Name.Span);
        var members = InstanceMembers(type.Kind);
        if (members is null)
            return Error(DiagnosticCodes.MemberOfNonObject, $"A value of type {type.DisplayName} has no member '{name}'.", member.Name.Span);
        if (!members.TryGetValue(name, out var method))
            return Error(DiagnosticCodes.UnknownMethod,
                $"'{name}' is not an allowed member of {type.DisplayName}.{NameSuggestions.Hint(name, members.Keys)}{OutsideAllowList}", member.Name.Span);
        if (!PropertyMembers.Contains(method))
            return Error(DiagnosticCodes.InvalidLambda, $"'{name}' is a method; call it as {name}(…).", member.Name.Span);
        return BindMethod(method, target, [], span, member.Name.Span);
    }

    /// <summary>
    /// RulesEngine keeps ISO date strings as strings, so its users take them apart as text (StartsWith("2021"),
    /// Substring(0, 4)); here they are dates, and the message says how to ask the same of a date.
    /// </summary>
    private static string DateIsNotAString(BoundExpression date, string member) =>
        $"'{date.Text}' is a {date.Type.DisplayName} (ISO date strings are read as dates), so it has no string member '{member}'; " +
        $"ask it as a date: {date.Text}.Year == 2021, {date.Text}.Month, {date.Text} >= \"2021-01-01\".";

    private static Dictionary<string, BuiltinMethod>? InstanceMembers(RuleTypeKind kind) => kind switch
    {
        RuleTypeKind.String => StringMembers,
        RuleTypeKind.Date => DateMembers,
        RuleTypeKind.TimeSpan => TimeSpanMembers,
        RuleTypeKind.Array => ArrayMembers,
        _ => null,
    };

    private BoundExpression BindCall(CallExpressionSyntax call)
    {
        switch (call.Target)
        {
            case NameExpressionSyntax name:
                if (ForbiddenNames.Contains(name.Name)) return Forbidden(name.Name, name.Span);
                if (string.Equals(name.Name, "np", StringComparison.OrdinalIgnoreCase)) return BindNullPropagation(call);
                if (ConversionInstead(name.Name) is { } instead) return BindConversion(name.Name, instead, call);
                return Error(DiagnosticCodes.UnknownMethod,
                    $"Unknown function '{name.Name}'. Custom functions are called as fn.{name.Name}(…); built-ins as Math.Abs(…), xs.Any(…), etc.",
                    name.Span);
            case MemberAccessExpressionSyntax member:
                var methodName = member.Name.Text;
                // Static classes first: Convert.ToString is allowed whatever it converts, ToString only on plain values.
                if (IsStaticClassName(member.Target, out var className)) return BindStaticCall(className, methodName, call, member.Name.Span);
                if (methodName is "ToString" or "Equals" && !IsFunctionsName(member.Target)) return BindValueMethod(member, methodName, call);
                if (ForbiddenNames.Contains(methodName)) return Forbidden(methodName, member.Name.Span);
                if (IsFunctionsName(member.Target)) return BindFunctionCall(methodName, call, member.Name.Span);
                var receiver = BindExpression(member.Target);
                if (IsError(receiver)) return receiver;
                return BindInstanceCall(receiver, methodName, call, member.Name.Span);
            default:
                return Error(DiagnosticCodes.UnexpectedToken, "Only named members can be called.", call.Span);
        }
    }

    /// <summary>
    /// <c>x.ToString()</c> and <c>x.Equals(y)</c> on a plain value, which RulesEngine users write all the time: the
    /// same as <c>Convert.ToString(x)</c> and <c>x == y</c>. On objects, arrays and values whose type is known only at
    /// run time they stay refused, as the escape corpus expects: C# would give a type name or compare references,
    /// which no rule means. ToString is refused on dates too, whose text C# makes culture-dependent.
    /// </summary>
    private BoundExpression BindValueMethod(MemberAccessExpressionSyntax member, string methodName, CallExpressionSyntax call)
    {
        var receiver = BindExpression(member.Target);
        if (IsError(receiver)) return receiver;
        var plain = receiver.Type.Kind is RuleTypeKind.Integer or RuleTypeKind.Number or RuleTypeKind.String or RuleTypeKind.Boolean
            || (methodName == "Equals" && receiver.Type.Kind == RuleTypeKind.Date);
        if (!plain)
            return Error(DiagnosticCodes.ForbiddenMember,
                $"'{methodName}' is allowed on numbers, strings and booleans, not on {receiver.Type.DisplayName}; write {(methodName == "ToString" ? "Convert.ToString(x)" : "x == y")} instead.",
                member.Name.Span);
        var expected = methodName == "ToString" ? 0 : 1;
        if (call.Arguments.Count != expected)
            return Error(DiagnosticCodes.ArgumentCount,
                methodName == "ToString"
                    ? "ToString takes no arguments here; to format a number or date, compute the text with Math.Round and Convert.ToString."
                    : "Equals takes 1 argument.", call.Span);
        var text = Text(call.Span);
        if (methodName == "ToString")
            return new BoundCall(BuiltinMethod.ConvertToString, null, [receiver], RuleType.String, call.Span, text);
        var other = BindExpression(call.Arguments[0]);
        if (IsError(other)) return other;
        other = CoerceDateLiteral(other, receiver);
        if (IsError(other)) return other;
        if (!Comparable(receiver.Type, other.Type))
            return Error(DiagnosticCodes.NotComparable, $"Equals cannot compare {receiver.Type.DisplayName} with {other.Type.DisplayName}.", other.Span);
        return new BoundBinary(BoundBinaryOperator.Equal, receiver, other, RuleType.Boolean, call.Span, text);
    }

    /// <summary><c>string.Concat(a, b, …)</c> is <c>"" + a + b + …</c>.</summary>
    private BoundExpression BindConcat(CallExpressionSyntax call)
    {
        var arguments = BindArguments(call.Arguments);
        if (arguments is null) return new BoundErrorExpression(call.Span, Text(call.Span));
        var text = Text(call.Span);
        BoundExpression joined = new BoundLiteral("", RuleType.String, call.Span, "\"\"");
        foreach (var argument in arguments)
        {
            if (argument.Type.Kind is RuleTypeKind.Object or RuleTypeKind.Array)
                return Error(DiagnosticCodes.ArgumentType, $"string.Concat joins plain values, not {argument.Type.DisplayName}.", argument.Span);
            joined = new BoundBinary(BoundBinaryOperator.Add, joined, argument, RuleType.String, call.Span, text);
        }
        return joined;
    }

    /// <summary>
    /// Dynamic LINQ's conversion functions (<c>string(x)</c>, <c>int(x)</c>, <c>double(x)</c>), which RulesEngine's
    /// maintainers recommend for dynamic inputs. They run here where they convert without loss, to the same value
    /// as Dynamic LINQ's cast: an integer to an integer or a number, a number to a number, a string to a string.
    /// Others (a cast that truncates 7.5 to 7, or fails on a string) are refused with the explicit form.
    /// </summary>
    private BoundExpression BindConversion(string name, string instead, CallExpressionSyntax call)
    {
        var target = name.ToLowerInvariant() switch
        {
            "int" or "int32" or "int16" or "short" or "long" or "int64" => RuleTypeKind.Integer,
            "decimal" or "double" or "single" or "float" => RuleTypeKind.Number,
            "string" => RuleTypeKind.String,
            _ => RuleTypeKind.Any,
        };
        var argument = call.Arguments.Count == 1 ? BindExpression(call.Arguments[0]) : null;
        if (argument is not null && IsError(argument)) return argument;
        var kind = argument?.Type.Kind;
        var lossless = kind == target || (target == RuleTypeKind.Number && kind == RuleTypeKind.Integer);
        if (argument is null || !lossless)
            return Error(DiagnosticCodes.UnknownMethod,
                $"'{name}(…)' converts only a value that is already {target.ToString().ToLowerInvariant()}{(target == RuleTypeKind.Number ? " or integer" : "")} here; write {instead}.",
                call.Span);
        return kind == target ? argument : new BoundCall(BuiltinMethod.ConvertToNumber, null, [argument], RuleType.Number, call.Span, Text(call.Span));
    }

    private static string? ConversionInstead(string name) => name.ToLowerInvariant() switch
    {
        "int" or "int32" or "int16" or "short" or "long" or "int64" => "Convert.ToInt32(x)",
        "decimal" or "double" or "single" or "float" => "Convert.ToDecimal(x)",
        "string" => "Convert.ToString(x)",
        "bool" or "boolean" => "Convert.ToBoolean(x)",
        "datetime" => "DateTime.Parse(x)",
        _ => null,
    };

    /// <summary>
    /// Dynamic LINQ's <c>np(a.b.c[, fallback])</c>: the value, or null (or the fallback) where any part of the path is
    /// null. Here that is <c>a.b.c ?? fallback</c>, since <c>??</c> turns a missing value into its right side.
    /// </summary>
    private BoundExpression BindNullPropagation(CallExpressionSyntax call)
    {
        if (call.Arguments.Count is < 1 or > 2)
            return Error(DiagnosticCodes.ArgumentCount, $"np takes 1 or 2 arguments (a path and a fallback), not {call.Arguments.Count}.", call.Span);
        var arguments = BindArguments(call.Arguments);
        if (arguments is null) return new BoundErrorExpression(call.Span, Text(call.Span));
        var path = arguments[0];
        var fallback = arguments.Count > 1 ? arguments[1] : new BoundLiteral(null, RuleType.Null, call.Span, "null");
        var type = BinaryResultType(BoundBinaryOperator.Coalesce, path.Type, fallback.Type);
        if (type is null)
            return Error(DiagnosticCodes.OperandTypes, $"The fallback of np must have the type of the path ({path.Type.DisplayName}), not {fallback.Type.DisplayName}.", fallback.Span);
        return new BoundBinary(BoundBinaryOperator.Coalesce, path, fallback, type, call.Span, Text(call.Span));
    }

    private BoundExpression BindFunctionCall(string name, CallExpressionSyntax call, TextSpan nameSpan)
    {
        if (_functions is null)
            return Error(DiagnosticCodes.NoFunctions, $"'fn.{name}' calls a custom function, but this template has no functions file.", nameSpan);
        if (!_functions.TryGetFunction(name, out var signature))
            return Error(DiagnosticCodes.UnknownFunction,
                $"Unknown custom function 'fn.{name}'.{NameSuggestions.Hint(name, _functions.FunctionNames)}", nameSpan);
        if (signature.ParameterCount != call.Arguments.Count)
            return Error(DiagnosticCodes.ArgumentCount,
                $"'fn.{name}' takes {signature.ParameterCount} argument(s), not {call.Arguments.Count}.", call.Span);
        var arguments = BindArguments(call.Arguments);
        if (arguments is null) return new BoundErrorExpression(call.Span, Text(call.Span));
        var type = signature.ReturnType switch
        {
            "number" => RuleType.Number,
            "integer" => RuleType.Integer,
            "string" => RuleType.String,
            "boolean" => RuleType.Boolean,
            "date" => RuleType.Date,
            _ => RuleType.Any,
        };
        return new BoundFunctionCall(name, arguments, type, call.Span, Text(call.Span));
    }

    private List<BoundExpression>? BindArguments(IReadOnlyList<ExpressionSyntax> syntax)
    {
        var arguments = new List<BoundExpression>(syntax.Count);
        var failed = false;
        foreach (var argument in syntax)
        {
            var bound = BindExpression(argument);
            failed |= IsError(bound);
            arguments.Add(bound);
        }
        return failed ? null : arguments;
    }

    private BoundExpression BindStaticCall(string className, string methodName, CallExpressionSyntax call, TextSpan nameSpan)
    {
        var members = StaticMembers[className == "String" ? "string" : className];
        if (!members.ContainsKey(methodName) && ForbiddenNames.Contains(methodName)) return Forbidden(methodName, nameSpan);
        if (className is "string" or "String" && methodName is "Compare" or "CompareOrdinal")
            return Error(DiagnosticCodes.UnknownMethod, $"'{className}.{methodName}' is not supported; compare strings with <, <=, >, >= or == (ordinal).", nameSpan);
        if (className is "string" or "String" && methodName == "Concat") return BindConcat(call);
        if (className == "DateTime" && methodName == "Compare")
            return Error(DiagnosticCodes.UnknownMethod, "'DateTime.Compare' is not supported; compare dates with <, <=, >, >= or ==.", nameSpan);
        if (!members.TryGetValue(methodName, out var method))
            return Error(DiagnosticCodes.UnknownMethod,
                $"'{className}.{methodName}' is not an allowed member.{NameSuggestions.Hint(methodName, members.Keys)}{OutsideAllowList}", nameSpan);
        var arguments = BindArguments(call.Arguments);
        if (arguments is null) return new BoundErrorExpression(call.Span, Text(call.Span));
        return BindMethod(method, null, arguments, call.Span, nameSpan);
    }

    private BoundExpression BindInstanceCall(BoundExpression receiver, string methodName, CallExpressionSyntax call, TextSpan nameSpan)
    {
        var type = receiver.Type;
        // C# habit: xs.Where(…).ToList().Count. Arrays here are already lists, so ToList and ToArray change nothing.
        if (methodName is "ToList" or "ToArray" && type.Kind is RuleTypeKind.Array or RuleTypeKind.Any)
            return call.Arguments.Count == 0 ? receiver : Error(DiagnosticCodes.ArgumentCount, $"{methodName} takes no arguments.", call.Span);
        BuiltinMethod method;
        if (type.Kind == RuleTypeKind.Any)
        {
            // The receiver's type is known only at run time: accept any allowed member name and check then.
            if (!StringMembers.TryGetValue(methodName, out method) && !DateMembers.TryGetValue(methodName, out method)
                && !TimeSpanMembers.TryGetValue(methodName, out method) && !ArrayMembers.TryGetValue(methodName, out method))
            {
                var all = StringMembers.Keys.Concat(DateMembers.Keys).Concat(TimeSpanMembers.Keys).Concat(ArrayMembers.Keys);
                return Error(DiagnosticCodes.UnknownMethod, $"'{methodName}' is not an allowed method.{NameSuggestions.Hint(methodName, all)}{OutsideAllowList}", nameSpan);
            }
        }
        else
        {
            var members = InstanceMembers(type.Kind);
            if (members is null)
            {
                var what = type.Kind == RuleTypeKind.Object ? "an object" : $"a value of type {type.DisplayName}";
                return Error(DiagnosticCodes.UnknownMethod, $"'{methodName}' cannot be called on {what}.", nameSpan);
            }
            if (type.Kind == RuleTypeKind.Date && StringMembers.ContainsKey(methodName))
                return Error(DiagnosticCodes.UnknownMethod, DateIsNotAString(receiver, methodName), nameSpan);
            if (type.Kind == RuleTypeKind.Date && methodName == "Subtract" && call.Arguments.Count == 1)
                return BindSubtract(receiver, call);
            if (!members.TryGetValue(methodName, out method))
                return Error(DiagnosticCodes.UnknownMethod,
                    methodName == "CompareTo" && type.Kind == RuleTypeKind.String
                        ? "'CompareTo' is not supported; compare strings with <, <=, >, >= or == (ordinal)."
                        : $"'{methodName}' is not an allowed method of {type.DisplayName}.{NameSuggestions.Hint(methodName, members.Keys)}{OutsideAllowList}", nameSpan);
        }
        if (PropertyMembers.Contains(method))
            return Error(DiagnosticCodes.UnknownMethod, $"'{methodName}' is a property; write it without parentheses.", nameSpan);
        if (receiver is BoundCall { Method: BuiltinMethod.Where, Receiver: { } source, Arguments: [BoundLambda filter] }
            && method is BuiltinMethod.Any or BuiltinMethod.All or BuiltinMethod.First or BuiltinMethod.FirstOrDefault
            && call.Arguments is [] or [LambdaExpressionSyntax] && !(method == BuiltinMethod.All && call.Arguments.Count == 0))
            return BindFilteredSearch(method, source, filter, call, nameSpan);

        var elementType = type.Kind == RuleTypeKind.Array ? type.ElementType ?? RuleType.Any : RuleType.Any;
        var arguments = new List<BoundExpression>(call.Arguments.Count);
        var failed = false;
        foreach (var argument in call.Arguments)
        {
            var bound = argument is LambdaExpressionSyntax lambda ? BindLambda(method, lambda, elementType)
                : TakesLambda(method) ? BindImplicitLambda(argument, elementType)
                : BindExpression(argument);
            failed |= IsError(bound);
            arguments.Add(bound);
        }
        if (failed) return new BoundErrorExpression(call.Span, Text(call.Span));
        return BindMethod(method, receiver, arguments, call.Span, nameSpan);
    }

    /// <summary><c>a.Subtract(b)</c> of dates is <c>a - b</c>, a time span (or a date, for a time span argument).</summary>
    private BoundExpression BindSubtract(BoundExpression receiver, CallExpressionSyntax call)
    {
        var other = BindExpression(call.Arguments[0]);
        if (IsError(other)) return other;
        other = CoerceDateLiteral(other, receiver);
        if (IsError(other)) return other;
        var type = BinaryResultType(BoundBinaryOperator.Subtract, receiver.Type, other.Type);
        if (type is null)
            return Error(DiagnosticCodes.ArgumentType, $"Subtract takes a date or a time span, not {other.Type.DisplayName}.", other.Span);
        return new BoundBinary(BoundBinaryOperator.Subtract, receiver, other, type, call.Span, Text(call.Span));
    }

    /// <summary>
    /// Dynamic LINQ's implicit lambda: an argument of a LINQ method that is not written as <c>x =&gt; …</c> is the body
    /// of a lambda over the element, named <c>it</c>, whose fields are also names: <c>orders.Any(amount &gt; 100)</c>
    /// is <c>orders.Any(it =&gt; it.amount &gt; 100)</c>. RulesEngine users write both forms.
    /// </summary>
    private BoundExpression BindImplicitLambda(ExpressionSyntax body, RuleType elementType)
    {
        var parameter = new Symbol("it", SymbolKind.LambdaParameter, _slots.Next(), elementType);
        var (outerScope, outerElement) = (_scope, _implicitElement);
        _scope = new BindingScope(outerScope);
        _scope.Declare(parameter);
        _implicitElement = parameter;
        try
        {
            var bound = BindExpression(body);
            if (IsError(bound)) return bound;
            return new BoundLambda(parameter, bound, body.Span, Text(body.Span));
        }
        finally
        {
            (_scope, _implicitElement) = (outerScope, outerElement);
        }
    }

    /// <summary>
    /// <c>xs.Where(p).Any()</c>, <c>.Any(q)</c>, <c>.All(q)</c>, <c>.First(…)</c>, <c>.FirstOrDefault(…)</c> as one pass
    /// over <c>xs</c> with the combined test. LINQ, and so RulesEngine, filters lazily and stops at the element that
    /// decides; filtering every element first would let a later element (a division by zero, say) fail a rule that
    /// RulesEngine decides.
    /// </summary>
    private BoundExpression BindFilteredSearch(BuiltinMethod method, BoundExpression source, BoundLambda filter, CallExpressionSyntax call, TextSpan nameSpan)
    {
        var combined = filter.Body;
        if (call.Arguments is [LambdaExpressionSyntax lambda])
        {
            // The second lambda reads the same element as the filter: its parameter shares the filter's slot.
            var outer = _scope;
            _scope = new BindingScope(outer);
            _scope.Declare(filter.Parameter with { Name = lambda.Parameter.Text });
            BoundExpression test;
            try
            {
                test = BindExpression(lambda.Body);
            }
            finally
            {
                _scope = outer;
            }
            if (IsError(test)) return test;
            if (test.Type.Kind is not (RuleTypeKind.Boolean or RuleTypeKind.Any))
                return Error(DiagnosticCodes.InvalidLambda, $"The lambda of {method} must return a boolean, not {test.Type.DisplayName}.", test.Span);
            var span = call.Span;
            combined = method == BuiltinMethod.All
                ? new BoundBinary(BoundBinaryOperator.Or, new BoundUnary(BoundUnaryOperator.Not, filter.Body, RuleType.Boolean, filter.Body.Span, $"!({filter.Body.Text})"),
                    test, RuleType.Boolean, span, $"!({filter.Body.Text}) || {test.Text}")
                : new BoundBinary(BoundBinaryOperator.And, filter.Body, test, RuleType.Boolean, span, $"{filter.Body.Text} && {test.Text}");
        }
        return BindMethod(method, source, [new BoundLambda(filter.Parameter, combined, filter.Span, filter.Text)], call.Span, nameSpan);
    }

    private static bool TakesLambda(BuiltinMethod method) => method is BuiltinMethod.Any or BuiltinMethod.All
        or BuiltinMethod.Count or BuiltinMethod.Sum or BuiltinMethod.Min or BuiltinMethod.Max or BuiltinMethod.Average
        or BuiltinMethod.Where or BuiltinMethod.Select or BuiltinMethod.First or BuiltinMethod.FirstOrDefault
        or BuiltinMethod.Last or BuiltinMethod.OrderBy or BuiltinMethod.OrderByDescending or BuiltinMethod.LastOrDefault
        or BuiltinMethod.Single or BuiltinMethod.SingleOrDefault or BuiltinMethod.SelectMany;

    private BoundExpression BindLambda(BuiltinMethod method, LambdaExpressionSyntax lambda, RuleType elementType)
    {
        if (!TakesLambda(method))
            return Error(DiagnosticCodes.InvalidLambda, $"{method} does not take a lambda argument.", lambda.Span);
        var parameter = new Symbol(lambda.Parameter.Text, SymbolKind.LambdaParameter, _slots.Next(), elementType);
        var outer = _scope;
        _scope = new BindingScope(outer);
        _scope.Declare(parameter);
        try
        {
            var body = BindExpression(lambda.Body);
            if (IsError(body)) return body;
            return new BoundLambda(parameter, body, lambda.Span, Text(lambda.Span));
        }
        finally
        {
            _scope = outer;
        }
    }

    /// <summary>Checks arity and argument types of an allow-listed member and computes its result type.</summary>
    private BoundExpression BindMethod(BuiltinMethod method, BoundExpression? receiver, List<BoundExpression> arguments, TextSpan span, TextSpan nameSpan)
    {
        var receiverType = receiver?.Type ?? RuleType.Any;
        var element = receiverType.Kind == RuleTypeKind.Array ? receiverType.ElementType ?? RuleType.Any : RuleType.Any;
        var text = Text(span);
        var argumentCount = arguments.Count;
        var lambda = argumentCount > 0 ? arguments[0] as BoundLambda : null;

        BoundExpression Result(RuleType type) => new BoundCall(method, receiver, arguments, type, span, text);

        BoundExpression Arity(int min, int max) => Error(DiagnosticCodes.ArgumentCount,
            min == max ? $"{method} takes {min} argument(s), not {argumentCount}." : $"{method} takes {min} to {max} arguments, not {argumentCount}.",
            span);

        bool Argument(int index, params RuleTypeKind[] kinds)
        {
            var type = arguments[index].Type;
            if (arguments[index] is BoundLambda || (type.Kind is not (RuleTypeKind.Any or RuleTypeKind.Null) && !kinds.Contains(type.Kind)
                && !(type.Kind == RuleTypeKind.Integer && kinds.Contains(RuleTypeKind.Number))))
            {
                Error(DiagnosticCodes.ArgumentType,
                    $"Argument {index + 1} of {method} must be {string.Join(" or ", kinds.Select(k => k.ToString().ToLowerInvariant()))}, not {arguments[index].Type.DisplayName}.",
                    arguments[index].Span);
                return false;
            }
            return true;
        }

        bool NoLambdas()
        {
            foreach (var argument in arguments)
            {
                if (argument is not BoundLambda) continue;
                Error(DiagnosticCodes.InvalidLambda, $"{method} does not take a lambda argument.", argument.Span);
                return false;
            }
            return true;
        }

        // A predicate lambda must produce a boolean; a selector any value.
        BoundExpression? Predicate(bool required)
        {
            if (argumentCount > 1) return Arity(required ? 1 : 0, 1);
            if (argumentCount == 0) return required ? Arity(1, 1) : null;
            if (lambda is null)
                return Error(DiagnosticCodes.InvalidLambda, $"{method} expects a lambda such as x => x.done, not {arguments[0].Type.DisplayName}.", arguments[0].Span);
            if (lambda.Body.Type.Kind is not (RuleTypeKind.Boolean or RuleTypeKind.Any))
                return Error(DiagnosticCodes.InvalidLambda, $"The lambda of {method} must return a boolean, not {lambda.Body.Type.DisplayName}.", lambda.Body.Span);
            return null;
        }

        RuleType? Selected(bool numeric)
        {
            if (argumentCount == 0) return element;
            if (lambda is null)
            {
                Error(DiagnosticCodes.InvalidLambda, $"{method} expects a lambda such as x => x.amount.", arguments[0].Span);
                return null;
            }
            var type = lambda.Body.Type;
            if (numeric && !type.IsNumeric && type.Kind != RuleTypeKind.Any)
            {
                Error(DiagnosticCodes.InvalidLambda, $"The lambda of {method} must return a number, not {type.DisplayName}.", lambda.Body.Span);
                return null;
            }
            return type;
        }

        switch (method)
        {
            case BuiltinMethod.Contains when receiverType.Kind == RuleTypeKind.Array:
                if (argumentCount != 1) return Arity(1, 1);
                if (!NoLambdas()) return new BoundErrorExpression(span, text);
                if (!Comparable(element, arguments[0].Type))
                    return Error(DiagnosticCodes.NotComparable, $"Contains on {receiverType.DisplayName} cannot look for a {arguments[0].Type.DisplayName}.", arguments[0].Span);
                return Result(RuleType.Boolean);
            case BuiltinMethod.Contains:
            case BuiltinMethod.StartsWith:
            case BuiltinMethod.EndsWith:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, RuleTypeKind.String) ? Result(RuleType.Boolean) : new BoundErrorExpression(span, text);
            case BuiltinMethod.IndexOf:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, RuleTypeKind.String) ? Result(RuleType.Integer) : new BoundErrorExpression(span, text);
            case BuiltinMethod.ToLower:
            case BuiltinMethod.ToUpper:
            case BuiltinMethod.Trim:
            case BuiltinMethod.TrimStart:
            case BuiltinMethod.TrimEnd:
                return argumentCount != 0 ? Arity(0, 0) : Result(RuleType.String);
            case BuiltinMethod.Replace:
                if (argumentCount != 2) return Arity(2, 2);
                return Argument(0, RuleTypeKind.String) && Argument(1, RuleTypeKind.String) ? Result(RuleType.String) : new BoundErrorExpression(span, text);
            case BuiltinMethod.Split:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, RuleTypeKind.String) ? Result(RuleType.ArrayOf(RuleType.String)) : new BoundErrorExpression(span, text);
            case BuiltinMethod.Substring:
                if (argumentCount is < 1 or > 2) return Arity(1, 2);
                for (var i = 0; i < argumentCount; i++)
                    if (!Argument(i, RuleTypeKind.Integer)) return new BoundErrorExpression(span, text);
                return Result(RuleType.String);
            case BuiltinMethod.Length:
            case BuiltinMethod.Year:
            case BuiltinMethod.Month:
            case BuiltinMethod.Day:
            case BuiltinMethod.Days:
                return Result(RuleType.Integer);
            case BuiltinMethod.TotalDays:
                return Result(RuleType.Number);
            case BuiltinMethod.AddDays:
            case BuiltinMethod.AddMonths:
            case BuiltinMethod.AddYears:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, method == BuiltinMethod.AddDays ? RuleTypeKind.Number : RuleTypeKind.Integer)
                    ? Result(receiverType.Kind == RuleTypeKind.Date ? receiverType : RuleType.Date)
                    : new BoundErrorExpression(span, text);
            case BuiltinMethod.Any:
                return Predicate(required: false) ?? Result(RuleType.Boolean);
            case BuiltinMethod.All:
                return Predicate(required: true) ?? Result(RuleType.Boolean);
            case BuiltinMethod.Count:
                return Predicate(required: false) ?? Result(RuleType.Integer);
            case BuiltinMethod.First:
            case BuiltinMethod.FirstOrDefault:
            case BuiltinMethod.Last:
            case BuiltinMethod.LastOrDefault:
            case BuiltinMethod.Single:
            case BuiltinMethod.SingleOrDefault:
                return Predicate(required: false) ?? Result(element);
            case BuiltinMethod.SelectMany:
            {
                if (argumentCount != 1) return Arity(1, 1);
                var selected = Selected(numeric: false);
                if (selected is null) return new BoundErrorExpression(span, text);
                if (selected.Kind is not (RuleTypeKind.Array or RuleTypeKind.Any))
                    return Error(DiagnosticCodes.InvalidLambda, $"The lambda of SelectMany must return an array, not {selected.DisplayName}.", lambda!.Body.Span);
                return Result(RuleType.ArrayOf(selected.ElementType ?? RuleType.Any));
            }
            case BuiltinMethod.Where:
                return Predicate(required: true) ?? Result(receiverType.Kind == RuleTypeKind.Array ? receiverType : RuleType.ArrayOf(RuleType.Any));
            case BuiltinMethod.Sum:
            case BuiltinMethod.Average:
            {
                if (argumentCount > 1) return Arity(0, 1);
                var selected = Selected(numeric: true);
                if (selected is null) return new BoundErrorExpression(span, text);
                if (!selected.IsNumeric && selected.Kind != RuleTypeKind.Any)
                    return Error(DiagnosticCodes.OperandTypes, $"{method} needs numbers, but the elements are {selected.DisplayName}.", span);
                return Result(method == BuiltinMethod.Average ? RuleType.Number : selected);
            }
            case BuiltinMethod.Min:
            case BuiltinMethod.Max:
            {
                if (argumentCount > 1) return Arity(0, 1);
                var selected = Selected(numeric: false);
                return selected is null ? new BoundErrorExpression(span, text) : Result(selected);
            }
            case BuiltinMethod.Select:
            {
                if (argumentCount != 1) return Arity(1, 1);
                var selected = Selected(numeric: false);
                return selected is null ? new BoundErrorExpression(span, text) : Result(RuleType.ArrayOf(selected));
            }
            case BuiltinMethod.OrderBy:
            case BuiltinMethod.OrderByDescending:
                if (argumentCount != 1) return Arity(1, 1);
                return Selected(numeric: false) is null ? new BoundErrorExpression(span, text) : Result(receiverType.Kind == RuleTypeKind.Array ? receiverType : RuleType.ArrayOf(RuleType.Any));
            case BuiltinMethod.Distinct:
                return argumentCount != 0 ? Arity(0, 0) : Result(receiverType.Kind == RuleTypeKind.Array ? receiverType : RuleType.ArrayOf(RuleType.Any));
            case BuiltinMethod.Take:
            case BuiltinMethod.Skip:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, RuleTypeKind.Integer) ? Result(receiverType.Kind == RuleTypeKind.Array ? receiverType : RuleType.ArrayOf(RuleType.Any)) : new BoundErrorExpression(span, text);
            case BuiltinMethod.StringIsNullOrEmpty:
            case BuiltinMethod.StringIsNullOrWhiteSpace:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, RuleTypeKind.String) ? Result(RuleType.Boolean) : new BoundErrorExpression(span, text);
            case BuiltinMethod.MathAbs:
            case BuiltinMethod.MathFloor:
            case BuiltinMethod.MathCeiling:
                if (argumentCount != 1) return Arity(1, 1);
                return Argument(0, RuleTypeKind.Number) ? Result(NumericOperand(arguments[0].Type)) : new BoundErrorExpression(span, text);
            case BuiltinMethod.MathRound:
                if (argumentCount is < 1 or > 2) return Arity(1, 2);
                if (!Argument(0, RuleTypeKind.Number) || (argumentCount == 2 && !Argument(1, RuleTypeKind.Integer)))
                    return new BoundErrorExpression(span, text);
                return Result(NumericOperand(arguments[0].Type));
            case BuiltinMethod.MathMin:
            case BuiltinMethod.MathMax:
                if (argumentCount != 2) return Arity(2, 2);
                return Argument(0, RuleTypeKind.Number) && Argument(1, RuleTypeKind.Number)
                    ? Result(NumericResult(arguments[0].Type, arguments[1].Type))
                    : new BoundErrorExpression(span, text);
            case BuiltinMethod.MathPow:
                if (argumentCount != 2) return Arity(2, 2);
                return Argument(0, RuleTypeKind.Number) && Argument(1, RuleTypeKind.Number) ? Result(RuleType.Number) : new BoundErrorExpression(span, text);
            case BuiltinMethod.ConvertToInteger:
            case BuiltinMethod.ConvertToNumber:
            case BuiltinMethod.ConvertToString:
            case BuiltinMethod.ConvertToBoolean:
            case BuiltinMethod.ConvertToDate:
                if (argumentCount != 1) return Arity(1, 1);
                if (!NoLambdas()) return new BoundErrorExpression(span, text);
                return Result(method switch
                {
                    BuiltinMethod.ConvertToInteger => RuleType.Integer,
                    BuiltinMethod.ConvertToNumber => RuleType.Number,
                    BuiltinMethod.ConvertToString => RuleType.String,
                    BuiltinMethod.ConvertToBoolean => RuleType.Boolean,
                    _ => RuleType.Date,
                });
            case BuiltinMethod.DateTimeParse:
                if (argumentCount != 1) return Arity(1, 1);
                // An ISO date string in the data is already a date here, while RulesEngine users parse it:
                // DateTime.Parse(input.joinedOn) is their idiom, so a date argument is accepted as it is.
                if (arguments[0].Type.Kind == RuleTypeKind.Date) return Result(arguments[0].Type);
                if (!Argument(0, RuleTypeKind.String)) return new BoundErrorExpression(span, text);
                if (arguments[0] is BoundLiteral { Value: string literalText })
                {
                    // A constant date is parsed now, so a malformed one is a load-time error rather than a run-time one.
                    if (!RuleValues.TryParseDate(literalText, out var date) && !RuleValues.TryParseDateTime(literalText, out date))
                        return Error(DiagnosticCodes.InvalidDate, $"'{literalText}' is not a date (yyyy-MM-dd) or an instant (yyyy-MM-ddTHH:mm:ssZ).", arguments[0].Span);
                    return new BoundLiteral(date, RuleType.Date, span, text);
                }
                return Result(RuleType.Date);
            default:
                return Error(DiagnosticCodes.UnknownMethod, $"'{method}' is not available here.", nameSpan);
        }
    }

    private static RuleType NumericOperand(RuleType type) => type.IsNumeric ? type : RuleType.Any;

    private static RuleType NumericResult(RuleType left, RuleType right)
    {
        if (left.Kind == RuleTypeKind.Any || right.Kind == RuleTypeKind.Any) return RuleType.Any;
        return left.Kind == RuleTypeKind.Integer && right.Kind == RuleTypeKind.Integer ? RuleType.Integer : RuleType.Number;
    }

    private static bool Comparable(RuleType left, RuleType right)
    {
        if (left.Kind is RuleTypeKind.Any or RuleTypeKind.Null || right.Kind is RuleTypeKind.Any or RuleTypeKind.Null) return true;
        if (left.IsNumeric && right.IsNumeric) return true;
        return left.Kind == right.Kind;
    }

    private BoundExpression BindIndex(IndexExpressionSyntax index)
    {
        var target = BindExpression(index.Target);
        var key = BindExpression(index.Index);
        if (IsError(target) || IsError(key)) return new BoundErrorExpression(index.Span, Text(index.Span));
        var text = Text(index.Span);
        switch (target.Type.Kind)
        {
            case RuleTypeKind.Array:
                if (key.Type.Kind is not (RuleTypeKind.Integer or RuleTypeKind.Any))
                    return Error(DiagnosticCodes.ArgumentType, $"An array index must be an integer, not {key.Type.DisplayName}.", key.Span);
                return new BoundIndex(target, key, target.Type.ElementType ?? RuleType.Any, index.Span, text);
            case RuleTypeKind.Object:
                if (key is BoundLiteral { Value: string name })
                {
                    if (target.Type.Properties is null) return new BoundField(target, name, RuleType.Any, index.Span, text);
                    if (target.Type.Properties.TryGetValue(name, out var fieldType)) return Read(target.Type, new BoundField(target, name, fieldType, index.Span, text));
                    return Error(DiagnosticCodes.UnknownProperty,
                        $"'{Text(index.Target.Span)}' has no field '{name}'.{NameSuggestions.Hint(name, target.Type.Properties.Keys)}", key.Span);
                }
                if (key.Type.Kind is not (RuleTypeKind.String or RuleTypeKind.Any))
                    return Error(DiagnosticCodes.ArgumentType, $"An object is indexed by a field name (string), not {key.Type.DisplayName}.", key.Span);
                return new BoundIndex(target, key, RuleType.Any, index.Span, text);
            case RuleTypeKind.Any:
                return new BoundIndex(target, key, RuleType.Any, index.Span, text);
            default:
                return Error(DiagnosticCodes.NotIndexable, $"A value of type {target.Type.DisplayName} cannot be indexed.", index.Target.Span);
        }
    }

    private BoundExpression BindUnary(UnaryExpressionSyntax unary)
    {
        var operand = BindExpression(unary.Operand);
        if (IsError(operand)) return operand;
        var text = Text(unary.Span);
        var kind = operand.Type.Kind;
        if (unary.Operator.Kind is TokenKind.Bang or TokenKind.NotKeyword)
        {
            if (kind is not (RuleTypeKind.Boolean or RuleTypeKind.Any))
                return Error(DiagnosticCodes.OperandTypes, $"'{unary.Operator.Text}' needs a boolean, not {operand.Type.DisplayName}.", unary.Span);
            return new BoundUnary(BoundUnaryOperator.Not, operand, RuleType.Boolean, unary.Span, text);
        }
        if (!operand.Type.IsNumeric && kind != RuleTypeKind.Any)
            return Error(DiagnosticCodes.OperandTypes, $"'{unary.Operator.Text}' needs a number, not {operand.Type.DisplayName}.", unary.Span);
        var op = unary.Operator.Kind == TokenKind.Minus ? BoundUnaryOperator.Negate : BoundUnaryOperator.Identity;
        // Fold "-5" into a literal so that "x > -5" costs nothing at run time.
        if (op == BoundUnaryOperator.Negate && operand is BoundLiteral { Value: long l })
            return new BoundLiteral(-l, RuleType.Integer, unary.Span, text);
        if (op == BoundUnaryOperator.Negate && operand is BoundLiteral { Value: decimal d })
            return new BoundLiteral(-d, RuleType.Number, unary.Span, text);
        return new BoundUnary(op, operand, operand.Type, unary.Span, text);
    }

    private BoundExpression BindBinary(BinaryExpressionSyntax binary)
    {
        var left = BindExpression(binary.Left);
        var right = BindExpression(binary.Right);
        if (IsError(left) || IsError(right)) return new BoundErrorExpression(binary.Span, Text(binary.Span));
        var op = binary.Operator.Kind switch
        {
            TokenKind.Plus => BoundBinaryOperator.Add,
            TokenKind.Minus => BoundBinaryOperator.Subtract,
            TokenKind.Star => BoundBinaryOperator.Multiply,
            TokenKind.Slash => BoundBinaryOperator.Divide,
            TokenKind.Percent => BoundBinaryOperator.Modulo,
            TokenKind.EqualsEquals or TokenKind.Equals => BoundBinaryOperator.Equal,
            TokenKind.BangEquals or TokenKind.LessGreater => BoundBinaryOperator.NotEqual,
            TokenKind.Less => BoundBinaryOperator.Less,
            TokenKind.LessEquals => BoundBinaryOperator.LessOrEqual,
            TokenKind.Greater => BoundBinaryOperator.Greater,
            TokenKind.GreaterEquals => BoundBinaryOperator.GreaterOrEqual,
            TokenKind.AmpersandAmpersand or TokenKind.AndKeyword => BoundBinaryOperator.And,
            TokenKind.BarBar or TokenKind.OrKeyword => BoundBinaryOperator.Or,
            _ => BoundBinaryOperator.Coalesce,
        };
        // Not for '+': "Due " + participant.dueOn concatenates text with a date, it does not compare with one.
        if (op != BoundBinaryOperator.Add)
            (left, right) = (CoerceDateLiteral(left, right), CoerceDateLiteral(right, left));
        if (IsError(left) || IsError(right)) return new BoundErrorExpression(binary.Span, Text(binary.Span));

        if (op == BoundBinaryOperator.Divide && left.Type.Kind == RuleTypeKind.Integer && right.Type.Kind == RuleTypeKind.Integer
            && !(IsDotNetInt(left) && IsDotNetInt(right)))
            left = new BoundCall(BuiltinMethod.ConvertToNumber, null, [left], RuleType.Number, left.Span, left.Text);

        var type = BinaryResultType(op, left.Type, right.Type);
        if (type is null)
            return Error(op is BoundBinaryOperator.Equal or BoundBinaryOperator.NotEqual ? DiagnosticCodes.NotComparable : DiagnosticCodes.OperandTypes,
                $"Operator '{binary.Operator.Text}' cannot be applied to {left.Type.DisplayName} and {right.Type.DisplayName}.", binary.Operator.Span);
        if (op is BoundBinaryOperator.Equal or BoundBinaryOperator.NotEqual)
        {
            CheckEnumLiteral(left, right);
            CheckEnumLiteral(right, left);
        }
        return new BoundBinary(op, left, right, type, binary.Span, Text(binary.Span));
    }

    /// <summary>
    /// Whether RulesEngine would see this integer as a C# <c>int</c>, whose division truncates (<c>7 / 2</c> is 3):
    /// literals, lengths, counts, date parts, <c>Convert.ToInt32</c>, and arithmetic of those. Integers read from
    /// JSON are <c>long</c> there, and Dynamic LINQ divides those exactly (<c>sessions / 2</c> is 2.5 for 5); users
    /// write averages and shares that way, so a division involving data gives the exact (decimal) quotient here too.
    /// </summary>
    internal static bool IsDotNetInt(BoundExpression expression) => expression switch
    {
        BoundLiteral { Value: long } => true,
        BoundSlot slot => slot.Symbol.IsDotNetInt,
        BoundCall call => call.Method is BuiltinMethod.Length or BuiltinMethod.Count or BuiltinMethod.IndexOf
            or BuiltinMethod.Days or BuiltinMethod.Year or BuiltinMethod.Month or BuiltinMethod.Day or BuiltinMethod.ConvertToInteger
            || (call.Method is BuiltinMethod.MathAbs or BuiltinMethod.MathMin or BuiltinMethod.MathMax && call.Arguments.All(IsDotNetInt)),
        BoundUnary unary => IsDotNetInt(unary.Operand),
        BoundBinary binary => binary.Type.Kind == RuleTypeKind.Integer && IsDotNetInt(binary.Left) && IsDotNetInt(binary.Right),
        BoundConditional conditional => IsDotNetInt(conditional.WhenTrue) && IsDotNetInt(conditional.WhenFalse),
        _ => false,
    };

    /// <summary>A string literal compared with a date is read as a date, so <c>enrolledOn &gt;= "2022-01-01"</c> works.</summary>
    private BoundExpression CoerceDateLiteral(BoundExpression expression, BoundExpression other)
    {
        if (other.Type.Kind != RuleTypeKind.Date || expression is not BoundLiteral { Value: string text }) return expression;
        if (RuleValues.TryParseDate(text, out var date) || RuleValues.TryParseDateTime(text, out date))
            return new BoundLiteral(date, RuleType.Date, expression.Span, expression.Text);
        return Error(DiagnosticCodes.InvalidDate, $"'{text}' is compared with a date but is not a date (yyyy-MM-dd).", expression.Span);
    }

    /// <summary>
    /// An error, not a warning: a misspelt enum value ("scool" for "school") makes the comparison a constant, so the
    /// rule would silently decide every participant the same way while the template still loaded.
    /// </summary>
    private void CheckEnumLiteral(BoundExpression field, BoundExpression other)
    {
        if (field.Type.EnumValues is not { } allowed || other is not BoundLiteral { Value: string value } || allowed.Contains(value)) return;
        _ = Error(DiagnosticCodes.NotInEnum,
            $"'{value}' is not one of the values the schema allows for '{field.Text}' ({string.Join(", ", allowed)}), so this comparison never matches.{NameSuggestions.Hint(value, allowed)}",
            other.Span);
    }

    private static RuleType? BinaryResultType(BoundBinaryOperator op, RuleType left, RuleType right)
    {
        var anyInvolved = left.Kind == RuleTypeKind.Any || right.Kind == RuleTypeKind.Any;
        switch (op)
        {
            case BoundBinaryOperator.Add:
                if (left.Kind == RuleTypeKind.String || right.Kind == RuleTypeKind.String) return RuleType.String;
                if (left.IsNumeric && right.IsNumeric) return NumericResult(left, right);
                if (left.Kind == RuleTypeKind.Date && right.Kind == RuleTypeKind.TimeSpan) return left;
                return anyInvolved && Arithmetic(left) && Arithmetic(right) ? RuleType.Any : null;
            case BoundBinaryOperator.Subtract:
                if (left.IsNumeric && right.IsNumeric) return NumericResult(left, right);
                if (left.Kind == RuleTypeKind.Date && right.Kind == RuleTypeKind.Date) return RuleType.TimeSpan;
                if (left.Kind == RuleTypeKind.Date && right.Kind == RuleTypeKind.TimeSpan) return left;
                return anyInvolved && Arithmetic(left) && Arithmetic(right) ? RuleType.Any : null;
            case BoundBinaryOperator.Multiply:
            case BoundBinaryOperator.Divide:
            case BoundBinaryOperator.Modulo:
                if (left.IsNumeric && right.IsNumeric) return NumericResult(left, right);
                return anyInvolved && Numeric(left) && Numeric(right) ? RuleType.Any : null;
            case BoundBinaryOperator.Equal:
            case BoundBinaryOperator.NotEqual:
                return Comparable(left, right) ? RuleType.Boolean : null;
            case BoundBinaryOperator.Less:
            case BoundBinaryOperator.LessOrEqual:
            case BoundBinaryOperator.Greater:
            case BoundBinaryOperator.GreaterOrEqual:
                if (left.Kind is RuleTypeKind.Boolean or RuleTypeKind.Array or RuleTypeKind.Object
                    || right.Kind is RuleTypeKind.Boolean or RuleTypeKind.Array or RuleTypeKind.Object) return null;
                return Comparable(left, right) ? RuleType.Boolean : null;
            case BoundBinaryOperator.And:
            case BoundBinaryOperator.Or:
                return Logical(left) && Logical(right) ? RuleType.Boolean : null;
            default:
                return left.Kind == RuleTypeKind.Null ? right
                    : right.Kind == RuleTypeKind.Null || Comparable(left, right) ? RuleType.Union(left, right) : null;
        }

        static bool Logical(RuleType type) => type.Kind is RuleTypeKind.Boolean or RuleTypeKind.Any or RuleTypeKind.Null;
        static bool Numeric(RuleType type) => type.IsNumeric || type.Kind == RuleTypeKind.Any;
        static bool Arithmetic(RuleType type) => type.Kind is RuleTypeKind.Any or RuleTypeKind.Integer or RuleTypeKind.Number
            or RuleTypeKind.String or RuleTypeKind.Date or RuleTypeKind.TimeSpan;
    }

    private BoundExpression BindConditional(ConditionalExpressionSyntax conditional)
    {
        var condition = BindExpression(conditional.Condition);
        var whenTrue = BindExpression(conditional.WhenTrue);
        var whenFalse = BindExpression(conditional.WhenFalse);
        if (IsError(condition) || IsError(whenTrue) || IsError(whenFalse))
            return new BoundErrorExpression(conditional.Span, Text(conditional.Span));
        if (condition.Type.Kind is not (RuleTypeKind.Boolean or RuleTypeKind.Any))
            return Error(DiagnosticCodes.NotBoolean, $"The condition must be a boolean, not {condition.Type.DisplayName}.", condition.Span);
        if (!Comparable(whenTrue.Type, whenFalse.Type))
            return Error(DiagnosticCodes.OperandTypes,
                $"Both branches must have the same type, not {whenTrue.Type.DisplayName} and {whenFalse.Type.DisplayName}.", conditional.Span);
        return new BoundConditional(condition, whenTrue, whenFalse, RuleType.Union(whenTrue.Type, whenFalse.Type), conditional.Span, Text(conditional.Span));
    }

    private BoundExpression BindIn(InExpressionSyntax @in)
    {
        var value = BindExpression(@in.Value);
        var items = BindArguments(@in.Items);
        if (IsError(value) || items is null) return new BoundErrorExpression(@in.Span, Text(@in.Span));
        for (var i = 0; i < items.Count; i++)
        {
            items[i] = CoerceDateLiteral(items[i], value);
            var itemType = @in.IsList ? items[i].Type : items[i].Type.Kind switch
            {
                RuleTypeKind.Array => items[i].Type.ElementType ?? RuleType.Any,
                RuleTypeKind.Any => RuleType.Any,
                _ => null,
            };
            if (itemType is null)
                return Error(DiagnosticCodes.OperandTypes, $"'in' needs a list in parentheses or an array, not {items[i].Type.DisplayName}.", items[i].Span);
            if (!Comparable(value.Type, itemType))
                return Error(DiagnosticCodes.NotComparable, $"A {value.Type.DisplayName} cannot be compared with {itemType.DisplayName}.", items[i].Span);
            if (@in.IsList) CheckEnumLiteral(value, items[i]);
        }
        return new BoundIn(value, items, @in.IsList, @in.Span, Text(@in.Span));
    }
}
