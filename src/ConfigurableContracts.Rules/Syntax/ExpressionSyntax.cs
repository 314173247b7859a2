namespace ConfigurableContracts.Rules.Syntax;

/// <summary>A node of the syntax tree: what the text says, with where it says it, before any meaning is given.</summary>
public abstract record ExpressionSyntax(TextSpan Span)
{
    /// <summary>Height of the subtree; the parser refuses trees deeper than its limit so later stages cannot overflow.</summary>
    public int Depth { get; internal set; } = 1;

    public abstract IEnumerable<ExpressionSyntax> Children { get; }
}

/// <summary><c>42</c>, <c>1.5</c>, <c>"text"</c>, <c>true</c>, <c>null</c>.</summary>
public sealed record LiteralExpressionSyntax(Token Token, object? Value) : ExpressionSyntax(Token.Span)
{
    public override IEnumerable<ExpressionSyntax> Children => [];
}

/// <summary>An identifier: an input, a parameter, a lambda parameter, or a static class such as <c>Math</c>.</summary>
public sealed record NameExpressionSyntax(Token Identifier) : ExpressionSyntax(Identifier.Span)
{
    public string Name => Identifier.Text;

    public override IEnumerable<ExpressionSyntax> Children => [];
}

/// <summary><c>target.Name</c>.</summary>
public sealed record MemberAccessExpressionSyntax(ExpressionSyntax Target, Token Name)
    : ExpressionSyntax(TextSpan.FromBounds(Target.Span.Start, Name.Span.End))
{
    public override IEnumerable<ExpressionSyntax> Children => [Target];
}

/// <summary><c>target(arguments)</c>, where target is a name (<c>iif</c>) or a member access (<c>xs.Any</c>).</summary>
public sealed record CallExpressionSyntax(ExpressionSyntax Target, IReadOnlyList<ExpressionSyntax> Arguments, TextSpan FullSpan)
    : ExpressionSyntax(FullSpan)
{
    public override IEnumerable<ExpressionSyntax> Children => [Target, .. Arguments];
}

/// <summary><c>target[index]</c>.</summary>
public sealed record IndexExpressionSyntax(ExpressionSyntax Target, ExpressionSyntax Index, TextSpan FullSpan)
    : ExpressionSyntax(FullSpan)
{
    public override IEnumerable<ExpressionSyntax> Children => [Target, Index];
}

/// <summary><c>!x</c>, <c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
public sealed record UnaryExpressionSyntax(Token Operator, ExpressionSyntax Operand)
    : ExpressionSyntax(TextSpan.FromBounds(Operator.Span.Start, Operand.Span.End))
{
    public override IEnumerable<ExpressionSyntax> Children => [Operand];
}

/// <summary><c>left op right</c> for arithmetic, comparison, logical and <c>??</c> operators.</summary>
public sealed record BinaryExpressionSyntax(ExpressionSyntax Left, Token Operator, ExpressionSyntax Right)
    : ExpressionSyntax(TextSpan.FromBounds(Left.Span.Start, Right.Span.End))
{
    public override IEnumerable<ExpressionSyntax> Children => [Left, Right];
}

/// <summary><c>c ? a : b</c> and <c>iif(c, a, b)</c>.</summary>
public sealed record ConditionalExpressionSyntax(
    ExpressionSyntax Condition, ExpressionSyntax WhenTrue, ExpressionSyntax WhenFalse, TextSpan FullSpan)
    : ExpressionSyntax(FullSpan)
{
    public override IEnumerable<ExpressionSyntax> Children => [Condition, WhenTrue, WhenFalse];
}

/// <summary><c>x in ("a", "b")</c> (a list of items) or <c>x in xs</c> (one collection).</summary>
public sealed record InExpressionSyntax(ExpressionSyntax Value, IReadOnlyList<ExpressionSyntax> Items, bool IsList, TextSpan FullSpan)
    : ExpressionSyntax(FullSpan)
{
    public override IEnumerable<ExpressionSyntax> Children => [Value, .. Items];
}

/// <summary><c>x => body</c>, allowed only as an argument of a LINQ method.</summary>
public sealed record LambdaExpressionSyntax(Token Parameter, ExpressionSyntax Body)
    : ExpressionSyntax(TextSpan.FromBounds(Parameter.Span.Start, Body.Span.End))
{
    public override IEnumerable<ExpressionSyntax> Children => [Body];
}
