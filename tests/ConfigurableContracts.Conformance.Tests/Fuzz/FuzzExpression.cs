using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>The static type a generated expression has in our engine (RulesEngine sees JSON numbers as double).</summary>
public enum FuzzType
{
    WholeNumber,
    DecimalNumber,
    Text,
    Boolean,
    Date,

    /// <summary>An array of the generated element objects (<c>p.items</c> or a <c>Where</c> over it).</summary>
    Items,

    /// <summary>An ISO date string read straight from the JSON: a date for us, a string for RulesEngine (README #8).</summary>
    RawDate,

    /// <summary>A sequence of values from <c>Select</c>, only ever an action's output.</summary>
    Sequence,
}

/// <summary>What a node is; the renderer and the counterfactual variants look at this, never at the text.</summary>
public enum FuzzOp
{
    /// <summary>A JSON field: <c>p.count</c> or a lambda parameter's <c>x.k</c>. <see cref="FuzzExpression.Text"/> is the path.</summary>
    Field,

    /// <summary>A global or local parameter, by name.</summary>
    Parameter,
    Literal,

    /// <summary>An infix operator in <see cref="FuzzExpression.Text"/>, over Args[0] and Args[1].</summary>
    Binary,

    /// <summary>A prefix operator in <see cref="FuzzExpression.Text"/> (<c>!</c>, <c>not </c>, <c>-</c>) over Args[0].</summary>
    Unary,

    /// <summary>A string or date member: Args[0] is the receiver, Text the member, the rest its arguments; property when <see cref="FuzzExpression.IsProperty"/>.</summary>
    Member,

    /// <summary>A field of the element Args[0] evaluates to (<c>p.items.First(…).t</c>); Value is its JSON kind.</summary>
    ElementField,

    /// <summary><c>DateTime.Parse(Args[0])</c>.</summary>
    DateParse,

    /// <summary>LINQ over Args[0]: Text is the method; Args[1], if present, is the lambda body over <see cref="FuzzExpression.Lambda"/>.</summary>
    Linq,

    /// <summary><c>iif(c, a, b)</c> when Text is "iif", otherwise <c>c ? a : b</c>.</summary>
    Conditional,

    /// <summary><c>Args[0] in (Args[1], …)</c>.</summary>
    In,

    /// <summary>Deliberately ill-typed text (an unknown field, a string times a number): both engines must refuse it.</summary>
    IllTyped,
}

/// <summary>
/// A generated expression as a small tree, so that it can be rendered for our engine, rendered for a counterfactual
/// RulesEngine run (see <see cref="FuzzVariant"/>), and shrunk node by node.
/// </summary>
public sealed partial record FuzzExpression(FuzzType Type, FuzzOp Op, string Text, ImmutableArray<FuzzExpression> Args)
{
    /// <summary>The JSON value of a literal, or the JSON kind of a field (see <see cref="FuzzJsonKind"/>).</summary>
    public object? Value { get; init; }

    /// <summary>The lambda parameter a <see cref="FuzzOp.Linq"/> node binds.</summary>
    public string? Lambda { get; init; }

    public bool IsProperty { get; init; }

    public static FuzzExpression Leaf(FuzzType type, FuzzOp op, string text, object? value = null) => new(type, op, text, []) { Value = value };

    public static FuzzExpression Node(FuzzType type, FuzzOp op, string text, params FuzzExpression[] args) => new(type, op, text, [.. args]);

    public override string ToString() => FuzzRenderer.Render(this, FuzzVariant.None);

    /// <summary>Lambda parameters this expression reads but does not bind (a lambda body cannot be moved out of its lambda).</summary>
    public IEnumerable<string> FreeLambdaParameters()
    {
        if (Op == FuzzOp.Field && Text.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 && Text[..dot] != FuzzInput.Name)
            return [Text[..dot]];
        var free = Args.SelectMany(a => a.FreeLambdaParameters());
        return Lambda is null ? free.Distinct() : free.Where(p => p != Lambda).Distinct();
    }

    /// <summary>Names of the parameters this expression reads.</summary>
    public IEnumerable<string> Parameters() =>
        Op == FuzzOp.Parameter ? [Text] : Args.SelectMany(a => a.Parameters());

    /// <summary>Field paths of the input this expression reads (<c>p.count</c>), not those of lambda elements.</summary>
    public IEnumerable<string> InputFields() => Op switch
    {
        FuzzOp.Field when Text.StartsWith(FuzzInput.Name + ".", StringComparison.Ordinal) => [Text],
        FuzzOp.IllTyped => InputPath().Matches(Text).Select(m => m.Value),
        _ => Args.SelectMany(a => a.InputFields()),
    };

    [GeneratedRegex(@"\bp\.\w+")]
    private static partial Regex InputPath();

    public bool Contains(Func<FuzzExpression, bool> predicate) => predicate(this) || Args.Any(a => a.Contains(predicate));

    /// <summary>Smaller expressions of the same type, simplest first, for FsCheck's shrinking.</summary>
    public IEnumerable<FuzzExpression> Shrink()
    {
        if (Op == FuzzOp.Literal || Op == FuzzOp.Field || Op == FuzzOp.Parameter) yield break;
        if (FuzzGenerators.SimplestLiteral(Type) is { } simplest && simplest != this) yield return simplest;
        foreach (var descendant in Args.SelectMany(Descendants))
            // An array stands only as a receiver (First(…).t needs the First): it shrinks inside, never into another.
            if (descendant.Type == Type && Type != FuzzType.Items && !descendant.FreeLambdaParameters().Except(FreeLambdaParameters()).Any())
                yield return descendant;
        for (var i = 0; i < Args.Length; i++)
            foreach (var smaller in Args[i].Shrink())
                yield return this with { Args = Args.SetItem(i, smaller) };
    }

    private static IEnumerable<FuzzExpression> Descendants(FuzzExpression expression) =>
        new[] { expression }.Concat(expression.Args.SelectMany(Descendants));
}

/// <summary>The JSON kind of a field, which decides how RulesEngine types it (integers and decimals become double).</summary>
public enum FuzzJsonKind
{
    WholeNumber,
    DecimalNumber,
    Text,
    Boolean,
    Date,
}

/// <summary>
/// How to render an expression for a counterfactual RulesEngine run. Each variant removes exactly one documented
/// difference by writing, in Dynamic LINQ, what our engine does; if RulesEngine then agrees with us, that difference
/// explains the disagreement (and nothing else does).
/// </summary>
[Flags]
public enum FuzzVariant
{
    None = 0,

    /// <summary>README #6: JSON integers as <c>long</c>, other JSON numbers and real literals as <c>decimal</c>.</summary>
    OurNumbers = 1,

    /// <summary>README #8: ISO date strings of the input as dates.</summary>
    OurDates = 2,

    /// <summary>README #9: ordinal string comparison and search, invariant case mapping.</summary>
    OrdinalStrings = 4,
}

/// <summary>Renders a <see cref="FuzzExpression"/> as expression text.</summary>
public static class FuzzRenderer
{
    /// <param name="nullFields">Input fields that are null in the inputs: a variant leaves them as they are, since
    /// <c>Convert.ToDecimal(null)</c> is 0 and not the missing value our engine sees.</param>
    public static string Render(FuzzExpression e, FuzzVariant variant, IReadOnlySet<string>? nullFields = null)
    {
        string R(int i) => Render(e.Args[i], variant, nullFields);
        var numbers = variant.HasFlag(FuzzVariant.OurNumbers);
        var ordinal = variant.HasFlag(FuzzVariant.OrdinalStrings);
        switch (e.Op)
        {
            case FuzzOp.Field when nullFields?.Contains(e.Text) == true:
                return e.Text;
            case FuzzOp.Field:
                return (e.Value, numbers, variant.HasFlag(FuzzVariant.OurDates)) switch
                {
                    (FuzzJsonKind.WholeNumber, true, _) => $"Convert.ToInt64({e.Text})",
                    (FuzzJsonKind.DecimalNumber, true, _) => $"Convert.ToDecimal({e.Text})",
                    (FuzzJsonKind.Date, _, true) when e.Type == FuzzType.RawDate => $"DateTime.Parse({e.Text})",
                    _ => e.Text,
                };
            case FuzzOp.Parameter:
            case FuzzOp.IllTyped:
                return e.Text;
            case FuzzOp.Literal:
                return Literal(e, variant);
            case FuzzOp.Binary when numbers && e.Text == "/" && e.Args[0].Type == FuzzType.WholeNumber
                                     && e.Args[1].Type == FuzzType.WholeNumber && !(IsDotNetInt(e.Args[0]) && IsDotNetInt(e.Args[1])):
                // Our engine divides an integer read from the data exactly, as RulesEngine does with its doubles;
                // only C# ints (literals, lengths, counts, date parts) truncate.
                return $"(Convert.ToDecimal({R(0)}) / {R(1)})";
            case FuzzOp.Binary:
                if (ordinal && e.Text is "<" or "<=" or ">" or ">=" && e.Args[0].Type == FuzzType.Text)
                    return $"(string.CompareOrdinal({R(0)}, {R(1)}) {e.Text} 0)";
                return $"({R(0)} {e.Text} {R(1)})";
            case FuzzOp.Unary:
                return $"({e.Text}{R(0)})";
            case FuzzOp.Member:
                var member = ordinal ? e.Text switch
                {
                    "ToUpper" => "ToUpperInvariant",
                    "ToLower" => "ToLowerInvariant",
                    _ => e.Text,
                } : e.Text;
                if (e.IsProperty) return $"{R(0)}.{member}";
                var arguments = e.Args.Skip(1).Select(a => Render(a, variant, nullFields)).ToList();
                if (ordinal && e.Text is "StartsWith" or "EndsWith" or "Contains" or "IndexOf") arguments.Add("StringComparison.Ordinal");
                return $"{R(0)}.{member}({string.Join(", ", arguments)})";
            case FuzzOp.ElementField:
                return (e.Value, numbers) switch
                {
                    (FuzzJsonKind.WholeNumber, true) => $"Convert.ToInt64({R(0)}.{e.Text})",
                    (FuzzJsonKind.DecimalNumber, true) => $"Convert.ToDecimal({R(0)}.{e.Text})",
                    _ => $"{R(0)}.{e.Text}",
                };
            case FuzzOp.DateParse:
                return $"DateTime.Parse({R(0)})";
            case FuzzOp.Linq:
                return e.Args.Length == 1 ? $"{R(0)}.{e.Text}()" : $"{R(0)}.{e.Text}({e.Lambda} => {R(1)})";
            case FuzzOp.Conditional:
                return e.Text == "iif" ? $"iif({R(0)}, {R(1)}, {R(2)})" : $"({R(0)} ? {R(1)} : {R(2)})";
            case FuzzOp.In:
                return $"({R(0)} in ({string.Join(", ", e.Args.Skip(1).Select(a => Render(a, variant, nullFields)))}))";
            default:
                throw new InvalidOperationException($"Unknown node {e.Op}.");
        }
    }

    /// <summary>
    /// Parameters of the workflow being rendered whose value is a C# int in RulesEngine, set by
    /// <see cref="FuzzWorkflow.ToJson"/> for the duration of one rendering.
    /// </summary>
    [ThreadStatic]
    internal static HashSet<string>? IntParameters;

    /// <summary>Whether RulesEngine sees this integer as a C# int (whose division truncates), as our binder decides it.</summary>
    internal static bool IsDotNetInt(FuzzExpression e) => e.Op switch
    {
        FuzzOp.Literal => e.Value is long,
        FuzzOp.Parameter => IntParameters?.Contains(e.Text) == true,
        FuzzOp.Member => e.Text is "Length" or "IndexOf" or "Year" or "Month" or "Day",
        FuzzOp.Linq => e.Text == "Count",
        FuzzOp.Unary => e.Type == FuzzType.WholeNumber && IsDotNetInt(e.Args[0]),
        FuzzOp.Binary => e.Type == FuzzType.WholeNumber && IsDotNetInt(e.Args[0]) && IsDotNetInt(e.Args[1]),
        FuzzOp.Conditional => e.Type == FuzzType.WholeNumber && IsDotNetInt(e.Args[1]) && IsDotNetInt(e.Args[2]),
        _ => false,
    };

    private static string Literal(FuzzExpression e, FuzzVariant variant) => e.Value switch
    {
        long n => n < 0 ? $"({n.ToString(CultureInfo.InvariantCulture)})" : n.ToString(CultureInfo.InvariantCulture),
        decimal d => (d < 0 ? $"({d.ToString(CultureInfo.InvariantCulture)}" : d.ToString(CultureInfo.InvariantCulture))
                     + (variant.HasFlag(FuzzVariant.OurNumbers) ? "m" : "") + (d < 0 ? ")" : ""),
        bool b => b ? "true" : "false",
        string s when e.Type == FuzzType.RawDate && variant.HasFlag(FuzzVariant.OurDates) => $"DateTime.Parse({Quote(s)})",
        string s => Quote(s),
        _ => "null",
    };

    /// <summary>A double-quoted literal with only the quote and backslash escaped: non-ASCII text stays as written.</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
