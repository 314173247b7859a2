using System.Text.RegularExpressions;
using Jint.Parser;
using Jint.Parser.Ast;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>A top-level function found in a script, with what the binder needs to know about it.</summary>
internal sealed record ScriptFunction(string Name, int ParameterCount, string ReturnType, int Line, int Column);

/// <summary>
/// Parses a functions.js with Jint's parser and checks the syntax tree: its depth, what the top level may contain,
/// and the JSDoc <c>@returns</c> of each function. It also plants the stack guard in every function body, which is
/// how the sandbox bounds recursion Jint does not count (getters, <c>new</c>, <c>valueOf</c>).
/// </summary>
internal static partial class ScriptSyntax
{
    /// <summary>
    /// The global the planted guard calls. A name that is not a JavaScript identifier cannot be declared, shadowed
    /// or called by the script itself.
    /// </summary>
    public const string GuardName = "#guard";

    /// <summary>
    /// The global every <c>+</c> and <c>+=</c> is rewritten to call. Jint concatenates strings inside its
    /// interpreter, where nothing can check the length, so <c>s = s + s</c> thirty times would build a 2^30-character
    /// string; the rewritten operator checks the length first.
    /// </summary>
    public const string PlusName = "#plus";

    // JSDoc writers use both {number} and {Number}; the rule engine's names are the lower-case ones.
    private static readonly Dictionary<string, string> ReturnTypes = new[] { "number", "integer", "string", "boolean", "date", "any" }
        .ToDictionary(t => t, t => t, StringComparer.OrdinalIgnoreCase);

    // Enough for a 64 KiB script of nothing but nested prefix operators (about 1 KiB of stack per level), so the
    // one parse of unchecked text cannot overflow even when the bracket scan was misled by a regex-like slash.
    private const int ParseThreadStackSize = 256 * 1024 * 1024;

    /// <summary>Ends every syntax error, so a designer who wrote newer JavaScript learns what is accepted instead.</summary>
    internal const string LanguageLevel = "(functions are ECMAScript 5.1 in strict mode; see docs/javascript-functions.md)";

    /// <summary>
    /// Parses unchecked source on a thread with a large stack and validates the tree. Only a script that passes is
    /// ever parsed again on an ordinary thread.
    /// </summary>
    public static IReadOnlyList<ScriptFunction> Validate(string path, string source, JavaScriptFunctionOptions options, List<Diagnostic> diagnostics)
    {
        Program? program = null;
        ParserException? syntaxError = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    program = new JavaScriptParser(strict: true).Parse(source, new ParserOptions { Tokens = true });
                }
                catch (ParserException exception)
                {
                    syntaxError = exception;
                }
            },
            ParseThreadStackSize);
        thread.Start();
        thread.Join();

        if (syntaxError is not null)
        {
            // A file cut off mid-comment or mid-string reads as an "ILLEGAL" token at its last character: say what it is.
            var atEnd = syntaxError.Index >= source.TrimEnd().Length - 1
                || (syntaxError.Description ?? "").Contains("end of input", StringComparison.OrdinalIgnoreCase);
            diagnostics.Add(Error(
                path,
                ScriptDiagnosticCodes.SyntaxError,
                atEnd
                    ? "Unexpected end of file: a comment, string, function or block is still open"
                    : (syntaxError.Description ?? syntaxError.Message).TrimEnd('.') + " " + LanguageLevel,
                Math.Max(1, syntaxError.LineNumber),
                Math.Max(1, syntaxError.Column)));
            return [];
        }

        var before = diagnostics.Count;
        CheckBracketNesting(path, program!, options.MaxNestingDepth, diagnostics);
        CheckDepthAndLiterals(path, program!, options.MaxSyntaxDepth, diagnostics);
        var functions = CheckTopLevel(path, program!, source, diagnostics);
        return diagnostics.Count == before ? functions : [];
    }

    /// <summary>Parses a script that <see cref="Validate"/> accepted and plants the guard in each function body.</summary>
    public static Program ParseGuarded(string source)
    {
        var program = Parse(source);
        foreach (var node in Descendants(program))
        {
            if (node.Node is IFunctionDeclaration { Body: BlockStatement body })
            {
                var guard = new ExpressionStatement
                {
                    Type = SyntaxNodes.ExpressionStatement,
                    Location = body.Location,
                    Range = body.Range,
                    Expression = new CallExpression
                    {
                        Type = SyntaxNodes.CallExpression,
                        Location = body.Location,
                        Range = body.Range,
                        Callee = new Identifier { Type = SyntaxNodes.Identifier, Name = GuardName, Location = body.Location, Range = body.Range },
                        Arguments = [],
                    },
                };
                body.Body = [guard, .. body.Body];
            }

            RewritePlus(node.Node);
        }

        return program;
    }

    // Replaces each direct child that is `a + b` by `#plus(a, b)` and turns `t += b` into `t = #plus(t, b)`. The
    // walk then continues into the replacements, so nested operators are rewritten too. Validate has refused `+=`
    // on any target whose second evaluation could differ from the first.
    private static void RewritePlus(SyntaxNode node)
    {
        switch (node)
        {
            case ArrayExpression n:
                n.Elements = n.Elements.Select(e => e is null ? null! : Plus(e)).ToList();
                break;
            case AssignmentExpression n:
                n.Right = Plus(n.Right);
                if (n.Operator == AssignmentOperator.PlusAssign)
                {
                    n.Operator = AssignmentOperator.Assign;
                    n.Right = PlusCall(n, n.Left, n.Right);
                }

                break;
            case BinaryExpression n:
                n.Left = Plus(n.Left);
                n.Right = Plus(n.Right);
                break;
            case LogicalExpression n:
                n.Left = Plus(n.Left);
                n.Right = Plus(n.Right);
                break;
            case CallExpression n:
                n.Callee = Plus(n.Callee);
                n.Arguments = n.Arguments.Select(Plus).ToList();
                break;
            case NewExpression n:
                n.Callee = Plus(n.Callee);
                n.Arguments = n.Arguments.Select(Plus).ToList();
                break;
            case ConditionalExpression n:
                n.Test = Plus(n.Test);
                n.Consequent = Plus(n.Consequent);
                n.Alternate = Plus(n.Alternate);
                break;
            case DoWhileStatement n:
                n.Test = Plus(n.Test);
                break;
            case WhileStatement n:
                n.Test = Plus(n.Test);
                break;
            case IfStatement n:
                n.Test = Plus(n.Test);
                break;
            case ForStatement n:
                n.Init = n.Init is Expression init ? Plus(init) : n.Init;
                n.Test = n.Test is null ? null! : Plus(n.Test);
                n.Update = n.Update is null ? null! : Plus(n.Update);
                break;
            case ForInStatement n:
                n.Right = Plus(n.Right);
                break;
            case ExpressionStatement n:
                n.Expression = Plus(n.Expression);
                break;
            case MemberExpression n:
                n.Object = Plus(n.Object);
                n.Property = n.Computed ? Plus(n.Property) : n.Property;
                break;
            case Property n:
                n.Value = Plus(n.Value);
                break;
            case ReturnStatement n:
                n.Argument = n.Argument is null ? null! : Plus(n.Argument);
                break;
            case ThrowStatement n:
                n.Argument = Plus(n.Argument);
                break;
            case SequenceExpression n:
                n.Expressions = n.Expressions.Select(Plus).ToList();
                break;
            case SwitchStatement n:
                n.Discriminant = Plus(n.Discriminant);
                break;
            case SwitchCase n:
                n.Test = n.Test is null ? null! : Plus(n.Test);
                break;
            case UnaryExpression n:
                n.Argument = Plus(n.Argument);
                break;
            case VariableDeclarator n:
                n.Init = n.Init is null ? null! : Plus(n.Init);
                break;
        }
    }

    private static Expression Plus(Expression expression) =>
        expression is BinaryExpression { Operator: BinaryOperator.Plus } sum ? PlusCall(sum, sum.Left, sum.Right) : expression;

    private static CallExpression PlusCall(SyntaxNode origin, Expression left, Expression right) => new()
    {
        Type = SyntaxNodes.CallExpression,
        Location = origin.Location,
        Range = origin.Range,
        Callee = new Identifier { Type = SyntaxNodes.Identifier, Name = PlusName, Location = origin.Location, Range = origin.Range },
        Arguments = [left, right],
    };

    // A `+=` target is evaluated twice once rewritten, which is only the same as once when evaluating it has no
    // side effects: a variable, or property reads whose object and key are themselves such reads or literals.
    private static bool IsRepeatable(Expression target) => target switch
    {
        Identifier or Literal or ThisExpression => true,
        MemberExpression member => IsRepeatable(member.Object) && (!member.Computed || IsRepeatable(member.Property)),
        _ => false,
    };

    // Strict mode from the start: no `with`, no implicit globals, `this` is undefined in plain calls (so
    // `this.constructor.constructor` reaches nothing), and writes to frozen objects throw instead of passing silently.
    private static Program Parse(string source) => new JavaScriptParser(strict: true).Parse(source);

    // The text scan guesses where regular expressions are; the parser's tokens know. Checking the real tokens
    // closes the gap a misleading slash could open, so the later parses on ordinary threads stay shallow.
    private static void CheckBracketNesting(string path, Program program, int maxDepth, List<Diagnostic> diagnostics)
    {
        var depth = 0;
        foreach (var token in program.Tokens ?? [])
        {
            if (token.Type != Tokens.Punctuator || token.Value is not string punctuator)
            {
                continue;
            }

            if (punctuator is "(" or "[" or "{")
            {
                if (++depth > maxDepth)
                {
                    diagnostics.Add(Error(
                        path,
                        ScriptDiagnosticCodes.NestingTooDeep,
                        $"brackets nest deeper than {maxDepth} levels; split the expression into smaller functions or variables.",
                        Math.Max(1, token.LineNumber ?? 1),
                        Math.Max(1, (token.Range?[0] ?? 0) - token.LineStart + 1)));
                    return;
                }
            }
            else if (punctuator is ")" or "]" or "}")
            {
                depth--;
            }
        }
    }

    private static void CheckDepthAndLiterals(string path, Program program, int maxDepth, List<Diagnostic> diagnostics)
    {
        var tooDeepReported = false;
        foreach (var (node, depth) in Descendants(program))
        {
            if (depth > maxDepth && !tooDeepReported)
            {
                tooDeepReported = true;
                diagnostics.Add(At(path, node, ScriptDiagnosticCodes.SyntaxTooDeep,
                    $"this expression or statement nests deeper than {maxDepth} levels; split it into smaller parts."));
            }

            if (node is AssignmentExpression { Operator: AssignmentOperator.PlusAssign, Left: var target } && !IsRepeatable(target))
            {
                diagnostics.Add(At(path, node, ScriptDiagnosticCodes.CompoundAssignmentNotAllowed,
                    "'+=' on a target with side effects (a call, ++, or an assignment inside it) is not supported; write it as 'x = x + y' with a plain variable."));
            }

            if (node is VariableDeclaration { Kind: not "var" } declaration)
            {
                // Jint 2.10.4's parser accepts let and const but runs them as var: no block scope, so a script written
                // for their real meaning would silently compute something else.
                diagnostics.Add(At(path, node, ScriptDiagnosticCodes.SyntaxError,
                    $"'{declaration.Kind}' is not ECMAScript 5.1 and would run as 'var', without block scope; write 'var' {LanguageLevel}"));
            }

            if (node.Type == SyntaxNodes.RegularExpressionLiteral)
            {
                // Jint 2.10.4 creates a literal's RegExp object once and keeps it in the syntax tree, so state set on
                // it (lastIndex, properties) would leak from one call into the next and break replay.
                diagnostics.Add(At(path, node, ScriptDiagnosticCodes.RegexLiteralNotAllowed,
                    "regular expression literals are not supported; write new RegExp(\"pattern\", \"flags\") instead."));
            }
        }
    }

    private static List<ScriptFunction> CheckTopLevel(string path, Program program, string source, List<Diagnostic> diagnostics)
    {
        var functions = new List<ScriptFunction>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lineStarts = LineStarts(source);
        foreach (var statement in program.Body)
        {
            switch (statement)
            {
                case FunctionDeclaration function:
                    if (!names.Add(function.Id.Name))
                    {
                        diagnostics.Add(At(path, function, ScriptDiagnosticCodes.DuplicateName, $"'{function.Id.Name}' is declared more than once."));
                        break;
                    }

                    var returnType = ReadReturnType(path, source, lineStarts, function, diagnostics);
                    functions.Add(new ScriptFunction(
                        function.Id.Name,
                        function.Parameters.Count(),
                        returnType,
                        function.Location.Start.Line,
                        function.Location.Start.Column + 1));
                    break;
                case VariableDeclaration variables:
                    foreach (var declarator in variables.Declarations)
                    {
                        if (!names.Add(declarator.Id.Name))
                        {
                            diagnostics.Add(At(path, declarator, ScriptDiagnosticCodes.DuplicateName, $"'{declarator.Id.Name}' is declared more than once."));
                        }

                        if (declarator.Init is not null && FindNonConstant(declarator.Init) is { } offender)
                        {
                            diagnostics.Add(At(path, offender, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                                "a top-level var may only hold a constant (literals, arrays, objects and operators on them); move computed values into a function."));
                        }
                    }

                    break;
                case ExpressionStatement { Expression: Literal { Value: string } }:
                    // A directive prologue such as "use strict".
                    break;
                default:
                    diagnostics.Add(At(path, statement, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                        "only function declarations and constant var declarations may stand at the top level; top-level code would run once per engine and could keep state between calls."));
                    break;
            }
        }

        return functions;
    }

    // Top-level values must not be able to run code or capture mutable state: no calls, no functions, no accessors.
    private static SyntaxNode? FindNonConstant(Expression expression)
    {
        foreach (var (node, _) in Descendants(expression))
        {
            switch (node)
            {
                case Literal or Identifier or ArrayExpression or ObjectExpression or UnaryExpression or BinaryExpression
                    or LogicalExpression or ConditionalExpression:
                    if (node is UnaryExpression { Operator: UnaryOperator.Delete or UnaryOperator.Increment or UnaryOperator.Decrement })
                    {
                        return node;
                    }

                    break;
                case Property { Kind: PropertyKind.Data }:
                    break;
                case MemberExpression:
                    break;
                default:
                    return node;
            }
        }

        return null;
    }

    private static string ReadReturnType(string path, string source, int[] lineStarts, FunctionDeclaration function, List<Diagnostic> diagnostics)
    {
        var start = Offset(lineStarts, function.Location.Start);
        var end = start;
        while (end > 0 && char.IsWhiteSpace(source[end - 1]))
        {
            end--;
        }

        if (end < 2 || source[end - 1] != '/' || source[end - 2] != '*')
        {
            return "any";
        }

        var commentStart = source.LastIndexOf("/*", end - 2, StringComparison.Ordinal);
        if (commentStart < 0 || !source.AsSpan(commentStart).StartsWith("/**", StringComparison.Ordinal))
        {
            return "any";
        }

        var comment = source[commentStart..end];
        var match = ReturnsTag().Match(comment);
        if (!match.Success)
        {
            return "any";
        }

        var type = match.Groups["type"].Value.Trim();
        if (ReturnTypes.TryGetValue(type, out var canonical))
        {
            return canonical;
        }

        var line = Array.BinarySearch(lineStarts, commentStart + match.Index);
        line = line >= 0 ? line : ~line - 1;
        diagnostics.Add(Error(
            path,
            ScriptDiagnosticCodes.UnknownReturnType,
            $"'{function.Id.Name}' declares @returns {{{type}}}; use one of number, integer, string, boolean, date or any.",
            line + 1,
            commentStart + match.Index - lineStarts[line] + 1));
        return "any";
    }

    [GeneratedRegex(@"@returns?\s*\{(?<type>[^}]*)\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ReturnsTag();

    private static int[] LineStarts(string source)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return [.. starts];
    }

    private static int Offset(int[] lineStarts, Position position) =>
        Math.Min(lineStarts[Math.Clamp(position.Line - 1, 0, lineStarts.Length - 1)] + position.Column, int.MaxValue);

    private static Diagnostic At(string path, SyntaxNode node, string code, string message) =>
        Error(path, code, message, Math.Max(1, node.Location?.Start.Line ?? 1), (node.Location?.Start.Column ?? 0) + 1);

    /// <summary>Every script diagnostic is an error: a file with one is not loaded.</summary>
    internal static Diagnostic Error(string path, string code, string message, int line, int column) =>
        new(code, DiagnosticSeverity.Error, message, new SourceLocation(path, line, column));

    /// <summary>Every node under <paramref name="root"/> with its depth, walked with an explicit stack.</summary>
    private static IEnumerable<(SyntaxNode Node, int Depth)> Descendants(SyntaxNode root)
    {
        var pending = new Stack<(SyntaxNode Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            yield return (node, depth);
            foreach (var child in Children(node))
            {
                if (child is not null)
                {
                    pending.Push((child, depth + 1));
                }
            }
        }
    }

    private static IEnumerable<SyntaxNode?> Children(SyntaxNode node) => node switch
    {
        Program n => n.Body,
        ArrayExpression n => n.Elements,
        AssignmentExpression n => [n.Left, n.Right],
        BinaryExpression n => [n.Left, n.Right],
        LogicalExpression n => [n.Left, n.Right],
        BlockStatement n => n.Body,
        CallExpression n => [n.Callee, .. n.Arguments],
        NewExpression n => [n.Callee, .. n.Arguments],
        CatchClause n => [n.Param, n.Body],
        ConditionalExpression n => [n.Test, n.Consequent, n.Alternate],
        DoWhileStatement n => [n.Body, n.Test],
        WhileStatement n => [n.Test, n.Body],
        ExpressionStatement n => [n.Expression],
        ForInStatement n => [n.Left, n.Right, n.Body],
        ForStatement n => [n.Init, n.Test, n.Update, n.Body],
        FunctionDeclaration n => [n.Id, .. n.Parameters, n.Body],
        FunctionExpression n => [n.Id, .. n.Parameters, n.Body],
        IfStatement n => [n.Test, n.Consequent, n.Alternate],
        LabelledStatement n => [n.Label, n.Body],
        MemberExpression n => [n.Object, n.Property],
        ObjectExpression n => n.Properties,
        Property n => [n.Key as SyntaxNode, n.Value],
        ReturnStatement n => [n.Argument],
        ThrowStatement n => [n.Argument],
        SequenceExpression n => n.Expressions,
        SwitchStatement n => [n.Discriminant, .. n.Cases],
        SwitchCase n => [n.Test, .. n.Consequent],
        TryStatement n => [n.Block, .. n.Handlers, n.Finalizer],
        UnaryExpression n => [n.Argument],
        VariableDeclaration n => n.Declarations,
        VariableDeclarator n => [n.Id, n.Init],
        WithStatement n => [n.Object, n.Body],
        _ => [],
    };
}
