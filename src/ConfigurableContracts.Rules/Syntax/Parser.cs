namespace ConfigurableContracts.Rules.Syntax;

/// <summary>A lexical or syntax error at a span of the expression text.</summary>
public sealed record SyntaxError(string Code, string Message, TextSpan Span);

/// <summary>
/// Recursive-descent parser for the Dynamic LINQ subset. Precedence, lowest first: <c>?:</c>, <c>??</c>,
/// <c>|| or</c>, <c>&amp;&amp; and</c>, <c>== = != &lt;&gt;</c>, <c>&lt; &lt;= &gt; &gt;= in</c>, <c>+ -</c>,
/// <c>* / %</c>, unary <c>! not - +</c>, then member access, calls and indexers.
/// It stops at the first syntax error: a second message after a broken expression is rarely useful.
/// </summary>
public sealed class Parser
{
    /// <summary>Nesting limit of parentheses, unary chains and lambdas, far below what would overflow the stack.</summary>
    public const int MaxNesting = 64;

    /// <summary>Limit on the height of the syntax tree (long <c>a &amp;&amp; b &amp;&amp; …</c> chains grow it).</summary>
    public const int MaxTreeDepth = 256;

    private readonly List<Token> _tokens;
    private readonly List<SyntaxError> _errors;
    private int _position;
    private int _nesting;

    private Parser(List<Token> tokens, List<SyntaxError> errors)
    {
        _tokens = tokens;
        _errors = errors;
    }

    /// <summary>Parses <paramref name="text"/>; the root is null exactly when errors were found.</summary>
    public static (ExpressionSyntax? Root, IReadOnlyList<SyntaxError> Errors) Parse(string text)
    {
        var errors = new List<SyntaxError>();
        var tokens = new Lexer(text, (code, message, span) => errors.Add(new SyntaxError(code, message, span))).Tokenize();
        if (errors.Count > 0) return (null, errors);
        var parser = new Parser(tokens, errors);
        try
        {
            var root = parser.ParseExpression();
            if (parser.Current.Kind != TokenKind.EndOfText)
                throw parser.Error(DiagnosticCodes.UnexpectedToken, $"Unexpected '{parser.Current.Text}' after the end of the expression.");
            return (root, errors);
        }
        catch (SyntaxAbort)
        {
            return (null, errors);
        }
    }

    private Token Current => _tokens[_position];

    private Token Peek(int ahead) => _tokens[Math.Min(_position + ahead, _tokens.Count - 1)];

    private Token Advance()
    {
        var token = _tokens[_position];
        if (_position < _tokens.Count - 1) _position++;
        return token;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind == kind) return Advance();
        var found = Current.Kind == TokenKind.EndOfText ? "the end of the expression" : $"'{Current.Text}'";
        throw Error(DiagnosticCodes.ExpectedToken, $"Expected {what} but found {found}.");
    }

    private SyntaxAbort Error(string code, string message, TextSpan? span = null)
    {
        _errors.Add(new SyntaxError(code, message, span ?? Current.Span));
        return new SyntaxAbort();
    }

    private T Node<T>(T node) where T : ExpressionSyntax
    {
        var depth = 0;
        foreach (var child in node.Children) depth = Math.Max(depth, child.Depth);
        node.Depth = depth + 1;
        if (node.Depth > MaxTreeDepth)
            throw Error(DiagnosticCodes.ExpressionTooDeep, $"Expression is nested more than {MaxTreeDepth} levels deep.", node.Span);
        return node;
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting)
            throw Error(DiagnosticCodes.ExpressionTooDeep, $"Expression nests parentheses, operators or lambdas more than {MaxNesting} levels deep.");
    }

    private ExpressionSyntax ParseExpression()
    {
        Enter();
        try
        {
            return ParseConditional();
        }
        finally
        {
            _nesting--;
        }
    }

    private ExpressionSyntax ParseConditional()
    {
        var condition = ParseCoalesce();
        if (Current.Kind != TokenKind.Question) return condition;
        Advance();
        var whenTrue = ParseExpression();
        Expect(TokenKind.Colon, "':' of the conditional operator");
        var whenFalse = ParseExpression();
        return Node(new ConditionalExpressionSyntax(condition, whenTrue, whenFalse,
            TextSpan.FromBounds(condition.Span.Start, whenFalse.Span.End)));
    }

    private ExpressionSyntax ParseCoalesce()
    {
        var left = ParseOr();
        if (Current.Kind != TokenKind.QuestionQuestion) return left;
        var op = Advance();
        Enter();
        try
        {
            return Node(new BinaryExpressionSyntax(left, op, ParseCoalesce()));
        }
        finally
        {
            _nesting--;
        }
    }

    private ExpressionSyntax ParseOr()
    {
        var left = ParseAnd();
        while (Current.Kind is TokenKind.BarBar or TokenKind.OrKeyword)
        {
            var op = Advance();
            left = Node(new BinaryExpressionSyntax(left, op, ParseAnd()));
        }
        return left;
    }

    private ExpressionSyntax ParseAnd()
    {
        var left = ParseEquality();
        while (Current.Kind is TokenKind.AmpersandAmpersand or TokenKind.AndKeyword)
        {
            var op = Advance();
            left = Node(new BinaryExpressionSyntax(left, op, ParseEquality()));
        }
        return left;
    }

    private ExpressionSyntax ParseEquality()
    {
        var left = ParseRelational();
        while (Current.Kind is TokenKind.EqualsEquals or TokenKind.Equals or TokenKind.BangEquals or TokenKind.LessGreater)
        {
            var op = Advance();
            left = Node(new BinaryExpressionSyntax(left, op, ParseRelational()));
        }
        return left;
    }

    private ExpressionSyntax ParseRelational()
    {
        var left = ParseAdditive();
        while (true)
        {
            if (Current.Kind is TokenKind.Less or TokenKind.LessEquals or TokenKind.Greater or TokenKind.GreaterEquals)
            {
                var op = Advance();
                left = Node(new BinaryExpressionSyntax(left, op, ParseAdditive()));
            }
            else if (Current.Kind == TokenKind.InKeyword)
            {
                left = ParseIn(left);
            }
            else
            {
                return left;
            }
        }
    }

    private InExpressionSyntax ParseIn(ExpressionSyntax value)
    {
        Advance();
        if (Current.Kind != TokenKind.OpenParen)
        {
            var collection = ParseAdditive();
            return Node(new InExpressionSyntax(value, [collection], IsList: false,
                TextSpan.FromBounds(value.Span.Start, collection.Span.End)));
        }
        Advance();
        var items = new List<ExpressionSyntax> { ParseExpression() };
        while (Current.Kind == TokenKind.Comma)
        {
            Advance();
            items.Add(ParseExpression());
        }
        var close = Expect(TokenKind.CloseParen, "')' closing the 'in' list");
        return Node(new InExpressionSyntax(value, items, IsList: true, TextSpan.FromBounds(value.Span.Start, close.Span.End)));
    }

    private ExpressionSyntax ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            left = Node(new BinaryExpressionSyntax(left, op, ParseMultiplicative()));
        }
        return left;
    }

    private ExpressionSyntax ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance();
            left = Node(new BinaryExpressionSyntax(left, op, ParseUnary()));
        }
        return left;
    }

    private ExpressionSyntax ParseUnary()
    {
        if (Current.Kind is not (TokenKind.Bang or TokenKind.NotKeyword or TokenKind.Minus or TokenKind.Plus))
            return ParsePostfix();
        var op = Advance();
        Enter();
        try
        {
            return Node(new UnaryExpressionSyntax(op, ParseUnary()));
        }
        finally
        {
            _nesting--;
        }
    }

    private ExpressionSyntax ParsePostfix()
    {
        var expression = ParsePrimary();
        while (true)
        {
            switch (Current.Kind)
            {
                case TokenKind.Dot:
                    Advance();
                    var name = Expect(TokenKind.Identifier, "a member name after '.'");
                    expression = Node(new MemberAccessExpressionSyntax(expression, name));
                    if (Current.Kind == TokenKind.OpenParen) expression = ParseCall(expression);
                    break;
                case TokenKind.OpenBracket:
                    Advance();
                    var index = ParseExpression();
                    var close = Expect(TokenKind.CloseBracket, "']'");
                    expression = Node(new IndexExpressionSyntax(expression, index,
                        TextSpan.FromBounds(expression.Span.Start, close.Span.End)));
                    break;
                default:
                    return expression;
            }
        }
    }

    private CallExpressionSyntax ParseCall(ExpressionSyntax target)
    {
        Advance();
        var arguments = new List<ExpressionSyntax>();
        if (Current.Kind != TokenKind.CloseParen)
        {
            arguments.Add(ParseArgument());
            while (Current.Kind == TokenKind.Comma)
            {
                Advance();
                arguments.Add(ParseArgument());
            }
        }
        var close = Expect(TokenKind.CloseParen, "')' closing the argument list");
        return Node(new CallExpressionSyntax(target, arguments, TextSpan.FromBounds(target.Span.Start, close.Span.End)));
    }

    private ExpressionSyntax ParseArgument()
    {
        if (Current.Kind != TokenKind.Identifier || Peek(1).Kind != TokenKind.Arrow) return ParseExpression();
        var parameter = Advance();
        Advance();
        var body = ParseExpression();
        return Node(new LambdaExpressionSyntax(parameter, body));
    }

    private ExpressionSyntax ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.IntegerLiteral:
            case TokenKind.RealLiteral:
            case TokenKind.StringLiteral:
                Advance();
                return new LiteralExpressionSyntax(token, token.Value);
            case TokenKind.TrueKeyword:
                Advance();
                return new LiteralExpressionSyntax(token, true);
            case TokenKind.FalseKeyword:
                Advance();
                return new LiteralExpressionSyntax(token, false);
            case TokenKind.NullKeyword:
                Advance();
                return new LiteralExpressionSyntax(token, null);
            case TokenKind.Identifier:
                Advance();
                var name = new NameExpressionSyntax(token);
                if (Current.Kind != TokenKind.OpenParen) return name;
                return string.Equals(token.Text, "iif", StringComparison.OrdinalIgnoreCase) ? ParseIif(name) : ParseCall(name);
            case TokenKind.OpenParen:
                Advance();
                var inner = ParseExpression();
                Expect(TokenKind.CloseParen, "')'");
                if (Current.Kind is TokenKind.Identifier or TokenKind.IntegerLiteral or TokenKind.RealLiteral or TokenKind.StringLiteral
                    or TokenKind.OpenParen)
                    throw Error(DiagnosticCodes.UnexpectedToken, "Casts are not part of the rule language; convert with Convert.ToInt32(x), Convert.ToDecimal(x) or Convert.ToString(x).", inner.Span);
                return inner;
            case TokenKind.NewKeyword:
                throw Error(DiagnosticCodes.ObjectCreationNotAllowed, "'new' is not allowed: rules cannot create objects. For a list of values write x in (1, 2); for a computed value, a LocalParam.");
            case TokenKind.EndOfText:
                throw Error(DiagnosticCodes.UnexpectedToken, "Expected an expression but found the end of the expression.");
            default:
                throw Error(DiagnosticCodes.UnexpectedToken, $"Unexpected '{token.Text}'.");
        }
    }

    private ConditionalExpressionSyntax ParseIif(NameExpressionSyntax name)
    {
        var call = ParseCall(name);
        if (call.Arguments.Count != 3)
            throw Error(DiagnosticCodes.ArgumentCount, $"iif takes 3 arguments (condition, value if true, value if false), not {call.Arguments.Count}.", call.Span);
        return Node(new ConditionalExpressionSyntax(call.Arguments[0], call.Arguments[1], call.Arguments[2], call.Span));
    }

    /// <summary>Unwinds the recursive descent after the first error has been recorded.</summary>
    private sealed class SyntaxAbort : Exception;
}
