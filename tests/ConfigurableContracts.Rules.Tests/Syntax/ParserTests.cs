using ConfigurableContracts.Rules.Syntax;

namespace ConfigurableContracts.Rules.Tests.Syntax;

public class ParserTests
{
    private static ExpressionSyntax ParseOk(string text)
    {
        var (root, errors) = Parser.Parse(text);
        Assert.Empty(errors);
        return root!;
    }

    private static SyntaxError ParseError(string text)
    {
        var (root, errors) = Parser.Parse(text);
        Assert.Null(root);
        return Assert.Single(errors);
    }

    /// <summary>Renders the tree with explicit parentheses so precedence can be asserted as text.</summary>
    private static string Show(ExpressionSyntax node) => node switch
    {
        LiteralExpressionSyntax l => l.Token.Text,
        NameExpressionSyntax n => n.Name,
        MemberAccessExpressionSyntax m => $"{Show(m.Target)}.{m.Name.Text}",
        CallExpressionSyntax c => $"{Show(c.Target)}({string.Join(", ", c.Arguments.Select(Show))})",
        IndexExpressionSyntax i => $"{Show(i.Target)}[{Show(i.Index)}]",
        UnaryExpressionSyntax u => $"({u.Operator.Text} {Show(u.Operand)})",
        BinaryExpressionSyntax b => $"({Show(b.Left)} {b.Operator.Text} {Show(b.Right)})",
        ConditionalExpressionSyntax c => $"({Show(c.Condition)} ? {Show(c.WhenTrue)} : {Show(c.WhenFalse)})",
        InExpressionSyntax i => $"({Show(i.Value)} in [{string.Join(", ", i.Items.Select(Show))}])",
        LambdaExpressionSyntax l => $"({l.Parameter.Text} => {Show(l.Body)})",
        _ => "?",
    };

    [Theory]
    [InlineData("a || b && c", "(a || (b && c))")]
    [InlineData("a OR b AND c", "(a OR (b AND c))")]
    [InlineData("a == b && c != d", "((a == b) && (c != d))")]
    [InlineData("a + b * c", "(a + (b * c))")]
    [InlineData("a - b - c", "((a - b) - c)")]
    [InlineData("a < b == c > d", "((a < b) == (c > d))")]
    [InlineData("!a && b", "((! a) && b)")]
    [InlineData("not a or b", "((not a) or b)")]
    [InlineData("-a * b", "((- a) * b)")]
    [InlineData("a ?? b ?? c", "(a ?? (b ?? c))")]
    [InlineData("a ? b : c ? d : e", "(a ? b : (c ? d : e))")]
    [InlineData("a ?? b == c", "(a ?? (b == c))")]
    [InlineData("x.y.z > 1", "(x.y.z > 1)")]
    [InlineData("xs[0].a", "xs[0].a")]
    [InlineData("a = 1", "(a = 1)")]
    [InlineData("a <> 1", "(a <> 1)")]
    public void Parse_FollowsPrecedence(string text, string expected) => Assert.Equal(expected, Show(ParseOk(text)));

    [Fact]
    public void Parse_BuildsLambda_InsideMethodArguments()
    {
        var tree = ParseOk("xs.Any(x => x.kind == \"group\" && x.n > 1)");
        Assert.Equal("xs.Any((x => ((x.kind == \"group\") && (x.n > 1))))", Show(tree));
    }

    [Fact]
    public void Parse_BuildsNestedLambdas()
    {
        var tree = ParseOk("xs.Any(x => x.ys.All(y => y > x.min))");
        Assert.Equal("xs.Any((x => x.ys.All((y => (y > x.min)))))", Show(tree));
    }

    [Fact]
    public void Parse_TurnsIifIntoConditional()
    {
        var tree = ParseOk("IIF(a > 1, \"big\", \"small\")");
        Assert.Equal("((a > 1) ? \"big\" : \"small\")", Show(tree));
    }

    [Fact]
    public void Parse_ReadsInList()
    {
        Assert.Equal("(x in [\"a\", \"b\"])", Show(ParseOk("x in (\"a\", \"b\")")));
        Assert.Equal("((x in [1]) and y)", Show(ParseOk("x IN (1) and y")));
        var collection = Assert.IsType<InExpressionSyntax>(ParseOk("x in xs"));
        Assert.False(collection.IsList);
    }

    [Fact]
    public void Parse_RecordsSpans_OfEveryNode()
    {
        var tree = Assert.IsType<BinaryExpressionSyntax>(ParseOk("  p.score >= 10"));
        Assert.Equal(new TextSpan(2, 13), tree.Span);
        Assert.Equal(new TextSpan(2, 7), tree.Left.Span);
        Assert.Equal(new TextSpan(10, 2), tree.Operator.Span);
        Assert.Equal(new TextSpan(13, 2), tree.Right.Span);
    }

    [Fact]
    public void Parse_ReportsColumn_WhenOperandMissing()
    {
        var error = ParseError("a > ");
        Assert.Equal(DiagnosticCodes.UnexpectedToken, error.Code);
        Assert.Equal(4, error.Span.Start);
    }

    [Fact]
    public void Parse_ReportsExpectedParen_WhenCallNotClosed()
    {
        var error = ParseError("xs.Any(x => x > 1");
        Assert.Equal(DiagnosticCodes.ExpectedToken, error.Code);
        Assert.Contains("')'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReportsTrailingTokens()
    {
        var error = ParseError("a b");
        Assert.Equal(DiagnosticCodes.UnexpectedToken, error.Code);
        Assert.Equal(2, error.Span.Start);
    }

    [Fact]
    public void Parse_RefusesNew()
    {
        Assert.Equal(DiagnosticCodes.ObjectCreationNotAllowed, ParseError("new System.Net.WebClient()").Code);
        Assert.Equal(DiagnosticCodes.ObjectCreationNotAllowed, ParseError("NEW { a = 1 }").Code);
    }

    [Fact]
    public void Parse_RefusesCasts()
    {
        Assert.Equal(DiagnosticCodes.UnexpectedToken, ParseError("(object)x").Code);
    }

    [Fact]
    public void Parse_RefusesDeepParentheses_WithoutOverflowingTheStack()
    {
        var text = new string('(', 100_000) + "1" + new string(')', 100_000);
        Assert.Equal(DiagnosticCodes.ExpressionTooDeep, ParseError(text).Code);
    }

    [Fact]
    public void Parse_RefusesDeepUnaryChains()
    {
        Assert.Equal(DiagnosticCodes.ExpressionTooDeep, ParseError(new string('!', 50_000) + "a").Code);
    }

    [Fact]
    public void Parse_RefusesVeryLongOperatorChains_ThatWouldMakeTheTreeTooDeep()
    {
        var text = string.Join(" && ", Enumerable.Repeat("a", Parser.MaxTreeDepth + 5));
        Assert.Equal(DiagnosticCodes.ExpressionTooDeep, ParseError(text).Code);
    }

    [Fact]
    public void Parse_AcceptsOperatorChains_WithinTheLimit()
    {
        var text = string.Join(" && ", Enumerable.Repeat("a", 100));
        Assert.True(ParseOk(text).Depth <= Parser.MaxTreeDepth);
    }

    [Fact]
    public void Parse_RefusesDeeplyNestedLambdas()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"x{i}.Any(y{i} => ")) + "true" + new string(')', 200);
        Assert.Equal(DiagnosticCodes.ExpressionTooDeep, ParseError(text).Code);
    }
}
