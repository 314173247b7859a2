using ConfigurableContracts.Rules.Syntax;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Binding;

/// <summary>
/// A node of the bound tree: the syntax with its meaning resolved (which input, which built-in, which numeric
/// operation) and its static type. <see cref="Text"/> is the source text, used to explain NotEvaluable results.
/// </summary>
internal abstract record BoundExpression(RuleType Type, TextSpan Span, string Text)
{
    private Evaluation.MissingValue? _missing;

    /// <summary>The NotEvaluable reason used when this node's value is absent, built once.</summary>
    public Evaluation.MissingValue Missing => _missing ??= new Evaluation.MissingValue($"'{Text}' is missing");
}

/// <summary>Stands in for a node that failed to bind, so one mistake does not cascade into many diagnostics.</summary>
internal sealed record BoundErrorExpression(TextSpan Span, string Text) : BoundExpression(RuleType.Any, Span, Text);

internal sealed record BoundLiteral(object? Value, RuleType Type, TextSpan Span, string Text) : BoundExpression(Type, Span, Text);

/// <summary>What a name refers to: an input, a global or local parameter, or a lambda parameter.</summary>
internal enum SymbolKind
{
    Input,
    GlobalParam,
    LocalParam,
    LambdaParameter,
}

/// <summary>A named value living in a slot of the evaluation frame.</summary>
/// <param name="IsDotNetInt">For a parameter: its value is what C# types <c>int</c> (see Binder.IsDotNetInt).</param>
internal sealed record Symbol(string Name, SymbolKind Kind, int Slot, RuleType Type, bool IsDotNetInt = false);

internal sealed record BoundSlot(Symbol Symbol, TextSpan Span, string Text) : BoundExpression(Symbol.Type, Span, Text);

/// <summary>A field of an object (a dictionary lookup at run time).</summary>
internal sealed record BoundField(BoundExpression Target, string Name, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

internal sealed record BoundIndex(BoundExpression Target, BoundExpression Index, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

internal enum BoundUnaryOperator
{
    Not,
    Negate,
    Identity,
}

internal sealed record BoundUnary(BoundUnaryOperator Operator, BoundExpression Operand, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

internal enum BoundBinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
    Coalesce,
}

internal sealed record BoundBinary(BoundBinaryOperator Operator, BoundExpression Left, BoundExpression Right, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

internal sealed record BoundConditional(BoundExpression Condition, BoundExpression WhenTrue, BoundExpression WhenFalse, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

/// <summary><c>x in (a, b)</c> when <see cref="IsList"/>, else <c>x in collection</c> with one item.</summary>
internal sealed record BoundIn(BoundExpression Value, IReadOnlyList<BoundExpression> Items, bool IsList, TextSpan Span, string Text)
    : BoundExpression(RuleType.Boolean, Span, Text);

/// <summary>A lambda argument: its parameter lives in <see cref="Parameter"/>'s slot while the body runs.</summary>
internal sealed record BoundLambda(Symbol Parameter, BoundExpression Body, TextSpan Span, string Text)
    : BoundExpression(Body.Type, Span, Text);

/// <summary>A member from the allow-list, on a receiver (<c>s.Trim()</c>) or static (<c>Math.Abs(x)</c>).</summary>
internal sealed record BoundCall(BuiltinMethod Method, BoundExpression? Receiver, IReadOnlyList<BoundExpression> Arguments, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

/// <summary><c>fn.name(args)</c>: a template's custom function.</summary>
internal sealed record BoundFunctionCall(string Name, IReadOnlyList<BoundExpression> Arguments, RuleType Type, TextSpan Span, string Text)
    : BoundExpression(Type, Span, Text);

/// <summary>The allow-list of members rule expressions may call, and nothing else.</summary>
internal enum BuiltinMethod
{
    // string
    Contains,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
    Trim,
    Substring,
    IndexOf,
    Length,
    Replace,
    TrimStart,
    TrimEnd,
    Split,
    // dates and time spans
    AddDays,
    AddMonths,
    AddYears,
    Year,
    Month,
    Day,
    TotalDays,
    Days,
    // LINQ over arrays
    Any,
    All,
    Count,
    Sum,
    Min,
    Max,
    Average,
    Where,
    Select,
    First,
    FirstOrDefault,
    Last,
    LastOrDefault,
    Single,
    SingleOrDefault,
    SelectMany,
    Distinct,
    OrderBy,
    OrderByDescending,
    Take,
    Skip,
    // static members
    StringIsNullOrEmpty,
    StringIsNullOrWhiteSpace,
    MathAbs,
    MathMin,
    MathMax,
    MathRound,
    MathFloor,
    MathCeiling,
    MathPow,
    ConvertToInteger,
    ConvertToNumber,
    ConvertToString,
    ConvertToBoolean,
    ConvertToDate,
    DateTimeParse,
}
