using System.Text.RegularExpressions;
using Acornima;
using Acornima.Ast;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>A top-level function found in a script, with what the binder needs to know about it.</summary>
internal sealed record ScriptFunction(string Name, int ParameterCount, string ReturnType, int Line, int Column);

/// <summary>
/// Parses a functions.js with Acornima (Jint 4's parser) and checks the syntax tree: its depth, what the top level
/// may contain, the few language features the sandbox refuses, and the JSDoc <c>@returns</c> of each function.
/// </summary>
internal static partial class ScriptSyntax
{
    // JSDoc writers use both {number} and {Number}; the rule engine's names are the lower-case ones.
    private static readonly Dictionary<string, string> ReturnTypes = new[] { "number", "integer", "string", "boolean", "date", "any" }
        .ToDictionary(t => t, t => t, StringComparer.OrdinalIgnoreCase);

    // Enough for a 64 KiB script of nothing but nested prefix operators, so the one parse of unchecked text cannot
    // overflow even when the bracket scan was misled by a regex-like slash: Acornima, like every recursive-descent
    // parser, recurses once per nesting level and has no depth limit of its own.
    private const int ParseThreadStackSize = 256 * 1024 * 1024;

    /// <summary>Ends every syntax error, so a designer who wrote something else learns what is accepted instead.</summary>
    internal const string LanguageLevel = "(functions are ECMAScript 2024 in strict mode; see docs/javascript-functions.md)";

    /// <summary>
    /// Parses unchecked source on a thread with a large stack and validates the tree. Only a script that passes is
    /// ever parsed again, by Jint, on an ordinary thread.
    /// </summary>
    public static IReadOnlyList<ScriptFunction> Validate(string path, string source, JavaScriptFunctionOptions options, List<Diagnostic> diagnostics)
    {
        Script? program = null;
        ParseErrorException? syntaxError = null;
        var brackets = new BracketDepth(options.MaxNestingDepth);
        var thread = new Thread(
            () =>
            {
                try
                {
                    program = Parse(source, brackets.Observe);
                }
                catch (ParseErrorException exception)
                {
                    syntaxError = exception;
                }
            },
            ParseThreadStackSize);
        thread.Start();
        thread.Join();

        if (syntaxError is not null)
        {
            diagnostics.Add(SyntaxError(path, source, syntaxError));
            return [];
        }

        if (brackets.TooDeepAt is { } tooDeep)
        {
            // The text scan guesses where regular expressions and template literals are; the parser's tokens know.
            // Checking the real tokens closes the gap a misleading slash could open, so Jint's own parse and its
            // interpreter stay shallow.
            diagnostics.Add(Error(
                path,
                ScriptDiagnosticCodes.NestingTooDeep,
                $"brackets nest deeper than {options.MaxNestingDepth} levels; split the expression into smaller functions or variables.",
                tooDeep.Line,
                tooDeep.Column + 1));
            return [];
        }

        var before = diagnostics.Count;
        CheckDepthAndFeatures(path, program!, options.MaxSyntaxDepth, diagnostics);
        var functions = CheckTopLevel(path, program!, source, diagnostics);
        return diagnostics.Count == before ? functions : [];
    }

    // Strict mode from the start: no `with`, no implicit globals, `this` is undefined in plain calls (so
    // `this.constructor.constructor` reaches nothing), and writes to frozen objects throw instead of passing silently.
    // ECMAScript 2024 is the last edition Jint 4.18 implements in full; later syntax is refused as a syntax error.
    private static Script Parse(string source, OnTokenHandler onToken) =>
        new Parser(new ParserOptions { EcmaVersion = EcmaVersion.ES2024, OnToken = onToken }).ParseScript(source, strict: true);

    private static Diagnostic SyntaxError(string path, string source, ParseErrorException error)
    {
        if (IsCutOff(source, error))
        {
            // Acornima reports an unterminated string or comment where it starts; the file is cut off at its end.
            var lines = source.Split('\n');
            return Error(path, ScriptDiagnosticCodes.SyntaxError, "Unexpected end of file: a comment, string, function or block is still open", lines.Length, lines[^1].Length + 1);
        }

        return Error(
            path,
            ScriptDiagnosticCodes.SyntaxError,
            (error.Description ?? error.Message).TrimEnd('.') + " " + LanguageLevel,
            Math.Max(1, error.LineNumber),
            Math.Max(0, error.Column) + 1);
    }

    // The parser ran out of input, or stopped at a string, template or comment that never closes.
    private static bool IsCutOff(string source, ParseErrorException error)
    {
        if ((error.Description ?? "").Contains("end of input", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var index = error.Error.IsIndexDefined ? error.Error.Index : -1;
        if (index < 0 || index >= source.Length)
        {
            return index >= source.Length;
        }

        return source[index] switch
        {
            '"' or '\'' or '`' => source.IndexOf(source[index], index + 1) < 0,
            '/' when index + 1 < source.Length && source[index + 1] == '*' => source.IndexOf("*/", index + 2, StringComparison.Ordinal) < 0,
            _ => false,
        };
    }

    /// <summary>Counts bracket depth over the parser's tokens; <c>${</c> in a template literal opens a level too.</summary>
    private sealed class BracketDepth(int maxDepth)
    {
        private int _depth;

        public Position? TooDeepAt { get; private set; }

        public void Observe(in Token token)
        {
            if (token.Kind != TokenKind.Punctuator || TooDeepAt is not null)
            {
                return;
            }

            switch (token.Value as string)
            {
                case "(" or "[" or "{" or "${":
                    if (++_depth > maxDepth)
                    {
                        TooDeepAt = token.Location.Start;
                    }

                    break;
                case ")" or "]" or "}":
                    _depth--;
                    break;
            }
        }
    }

    private static void CheckDepthAndFeatures(string path, Script program, int maxDepth, List<Diagnostic> diagnostics)
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

            if (RefusedFeature(node) is { } refusal)
            {
                diagnostics.Add(At(path, node, ScriptDiagnosticCodes.FeatureNotAllowed, refusal));
            }
        }
    }

    // Valid JavaScript the sandbox will not run, each for a reason a designer can act on.
    private static string? RefusedFeature(Node node) => node switch
    {
        IFunction { Async: true } or AwaitExpression or ForOfStatement { Await: true } =>
            "async functions and await are not supported: a rule function must return its answer when it returns, and a Promise is not a rule value.",
        ImportExpression => "import() is not supported: functions.js is one self-contained script.",
        Literal { Kind: TokenKind.BigIntLiteral } =>
            "BigInt literals are not supported: a rule value is never a BigInt, and BigInt arithmetic runs in .NET where no time limit is checked.",
        _ => null,
    };

    private static List<ScriptFunction> CheckTopLevel(string path, Script program, string source, List<Diagnostic> diagnostics)
    {
        var functions = new List<ScriptFunction>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lineStarts = LineStarts(source);
        foreach (var statement in program.Body)
        {
            switch (statement)
            {
                case FunctionDeclaration { Id: { } id } function:
                    if (!names.Add(id.Name))
                    {
                        diagnostics.Add(At(path, function, ScriptDiagnosticCodes.DuplicateName, $"'{id.Name}' is declared more than once."));
                        break;
                    }

                    functions.Add(Callable(path, source, lineStarts, id.Name, function, ParameterCount(function), diagnostics));
                    break;
                case VariableDeclaration { Kind: VariableDeclarationKind.Let } declaration:
                    diagnostics.Add(At(path, declaration, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                        "a top-level let could be reassigned by one call and seen by the next; use const (or move it into the function)."));
                    break;
                case VariableDeclaration { Kind: VariableDeclarationKind.Var or VariableDeclarationKind.Const } variables:
                    foreach (var declarator in variables.Declarations)
                    {
                        CheckTopLevelDeclarator(path, source, lineStarts, variables, declarator, names, functions, diagnostics);
                    }

                    break;
                case Directive or EmptyStatement:
                    // A directive prologue such as "use strict", or a stray semicolon.
                    break;
                case ClassDeclaration:
                    diagnostics.Add(At(path, statement, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                        "a top-level class runs code when the script loads (static blocks, computed keys, extends) and its name could be reassigned between calls; declare the class inside the function that uses it."));
                    break;
                default:
                    diagnostics.Add(At(path, statement, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                        "only function declarations and constant var or const declarations may stand at the top level; top-level code would run once per engine and could keep state between calls."));
                    break;
            }
        }

        return functions;
    }

    private static void CheckTopLevelDeclarator(
        string path, string source, int[] lineStarts, VariableDeclaration declaration, VariableDeclarator declarator,
        HashSet<string> names, List<ScriptFunction> functions, List<Diagnostic> diagnostics)
    {
        if (declarator.Id is not Identifier id)
        {
            diagnostics.Add(At(path, declarator, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                "declare each top-level constant by name (const a = …), not by destructuring; destructure inside the function instead."));
            return;
        }

        if (!names.Add(id.Name))
        {
            diagnostics.Add(At(path, declarator, ScriptDiagnosticCodes.DuplicateName, $"'{id.Name}' is declared more than once."));
            return;
        }

        // `const name = (a, b) => …` and `const name = function (…) { … }` are functions like any declaration: the
        // rules can call them, and their JSDoc sits above the const.
        if (declaration.Kind == VariableDeclarationKind.Const && declaration.Declarations.Count == 1
            && declarator.Init is ArrowFunctionExpression or FunctionExpression)
        {
            var function = (IFunction)declarator.Init;
            functions.Add(Callable(path, source, lineStarts, id.Name, declaration, ParameterCount(function), diagnostics));
            return;
        }

        if (declarator.Init is not null && FindNonConstant(declarator.Init) is { } offender)
        {
            diagnostics.Add(At(path, offender, ScriptDiagnosticCodes.TopLevelCodeNotAllowed,
                "a top-level var or const may only hold a constant (literals, arrays, objects and operators on them) or a function; move computed values into a function."));
        }
    }

    // The arguments a rule passes: every named parameter (with or without a default), not a rest parameter.
    private static int ParameterCount(IFunction function) => function.Params.Count(p => p is not RestElement);

    private static ScriptFunction Callable(string path, string source, int[] lineStarts, string name, Node declaration, int parameterCount, List<Diagnostic> diagnostics) =>
        new(
            name,
            parameterCount,
            ReadReturnType(path, source, lineStarts, name, declaration, diagnostics),
            declaration.Location.Start.Line,
            declaration.Location.Start.Column + 1);

    // Top-level values must not be able to run code or capture mutable state: no calls, no functions, no accessors.
    private static Node? FindNonConstant(Expression expression)
    {
        foreach (var (node, _) in Descendants(expression))
        {
            switch (node)
            {
                case UnaryExpression { Operator: Operator.Delete } or UpdateExpression:
                    return node;
                case Literal { Kind: TokenKind.RegExpLiteral }:
                    // A RegExp object keeps lastIndex; frozen at the top level, a global or sticky match would throw.
                    return node;
                case Literal or Identifier or ArrayExpression or ObjectExpression or UnaryExpression or BinaryExpression
                    or LogicalExpression or ConditionalExpression or MemberExpression or ChainExpression or SpreadElement
                    or TemplateLiteral or TemplateElement or ObjectProperty { Kind: PropertyKind.Init, Method: false }:
                    break;
                default:
                    return node;
            }
        }

        return null;
    }

    private static string ReadReturnType(string path, string source, int[] lineStarts, string name, Node declaration, List<Diagnostic> diagnostics)
    {
        var start = Offset(lineStarts, declaration.Location.Start);
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
            $"'{name}' declares @returns {{{type}}}; use one of number, integer, string, boolean, date or any.",
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

    private static Diagnostic At(string path, Node node, string code, string message) =>
        Error(path, code, message, Math.Max(1, node.Location.Start.Line), node.Location.Start.Column + 1);

    /// <summary>Every script diagnostic is an error: a file with one is not loaded.</summary>
    internal static Diagnostic Error(string path, string code, string message, int line, int column) =>
        new(code, DiagnosticSeverity.Error, message, new SourceLocation(path, line, column));

    /// <summary>Every node under <paramref name="root"/> with its depth, walked with an explicit stack.</summary>
    private static IEnumerable<(Node Node, int Depth)> Descendants(Node root)
    {
        var pending = new Stack<(Node Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            yield return (node, depth);
            foreach (var child in node.ChildNodes)
            {
                if (child is not null)
                {
                    pending.Push((child, depth + 1));
                }
            }
        }
    }
}
