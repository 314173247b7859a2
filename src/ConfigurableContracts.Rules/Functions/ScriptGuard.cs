namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Refuses a script before a parser sees it. Acornima (Jint 4's parser) recurses once per nesting level with no
/// limit of its own, so a 100 000-deep bracket nest overflows the stack, which .NET cannot catch: the whole server
/// would die. This scan is a flat loop over the text that measures the size and the bracket depth while skipping
/// comments, strings, template text and regular expression literals, so brackets inside them do not count; a
/// template literal's <c>${</c> opens a level like a brace.
/// </summary>
/// <remarks>
/// Telling a regular expression from a division needs the parser's context; the scan uses the usual token
/// heuristic instead (a slash after a value is a division). Where the heuristic is wrong it can only misjudge the
/// depth of one line, and the parse that follows runs on a thread with a large stack and is checked again on the
/// syntax tree, so a misjudged line cannot crash the process.
/// </remarks>
internal static class ScriptGuard
{
    private static readonly HashSet<string> KeywordsBeforeExpression = new(StringComparer.Ordinal)
    {
        "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else",
        "yield", "await",
    };

    /// <summary>Returns the first limit the source breaks, or null when it may be parsed.</summary>
    public static Diagnostic? Check(string path, string source, JavaScriptFunctionOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (source.Length > options.MaxSourceLength)
        {
            return ScriptSyntax.Error(
                path,
                ScriptDiagnosticCodes.SourceTooLarge,
                $"functions.js is {source.Length} characters long; the limit is {options.MaxSourceLength}.",
                1,
                1);
        }

        return new Scanner(source).FindTooDeepNesting(path, options.MaxNestingDepth);
    }

    private ref struct Scanner
    {
        private readonly string _text;
        private int _position;
        private int _line;
        private int _lineStart;

        // Whether a '/' at this point starts a regular expression (true) or is a division (false).
        private bool _slashStartsRegex;

        // The bracket depth at which each open template substitution (`${`) started, innermost last; its '}' goes
        // back to the template's text.
        private readonly Stack<int> _substitutions;

        public Scanner(string text)
        {
            _text = text;
            _line = 1;
            _slashStartsRegex = true;
            _substitutions = new Stack<int>();
        }

        private readonly int Column => _position - _lineStart + 1;

        public Diagnostic? FindTooDeepNesting(string path, int maxDepth)
        {
            var depth = 0;
            while (_position < _text.Length)
            {
                var c = _text[_position];
                switch (c)
                {
                    case '\n':
                        NewLine();
                        break;
                    case '/' when Peek(1) == '/':
                        SkipLineComment();
                        break;
                    case '/' when Peek(1) == '*':
                        SkipBlockComment();
                        break;
                    case '/' when _slashStartsRegex:
                        SkipRegex();
                        _slashStartsRegex = false;
                        break;
                    case '"' or '\'':
                        SkipString(c);
                        _slashStartsRegex = false;
                        break;
                    case '`':
                        _position++;
                        if (SkipTemplateText())
                        {
                            if (Open(ref depth, maxDepth, 2) is { } templateTooDeep)
                            {
                                return Report(path, templateTooDeep, maxDepth);
                            }

                            _substitutions.Push(depth);
                        }

                        break;
                    case '}' when _substitutions.Count > 0 && _substitutions.Peek() == depth:
                        // The end of a `${…}` substitution: the template's text goes on.
                        _substitutions.Pop();
                        depth--;
                        _position++;
                        if (SkipTemplateText())
                        {
                            if (Open(ref depth, maxDepth, 2) is { } nextTooDeep)
                            {
                                return Report(path, nextTooDeep, maxDepth);
                            }

                            _substitutions.Push(depth);
                        }

                        break;
                    case '(' or '[' or '{':
                        if (Open(ref depth, maxDepth, 1) is { } tooDeep)
                        {
                            return Report(path, tooDeep, maxDepth);
                        }

                        break;
                    case ')' or ']' or '}':
                        // Unbalanced closers are the parser's to report; the depth must not go negative, or
                        // a run of stray closers would hide the openers that follow.
                        depth = Math.Max(0, depth - 1);
                        _slashStartsRegex = c == '}';
                        _position++;
                        break;
                    default:
                        if (IsIdentifierPart(c))
                        {
                            ScanWord();
                        }
                        else
                        {
                            _slashStartsRegex = !char.IsWhiteSpace(c) || _slashStartsRegex;
                            _position++;
                        }

                        break;
                }
            }

            return null;
        }

        // Counts an opening bracket (or `${`, two characters long) and steps past it; returns where the nesting
        // first went past the limit.
        private (int Line, int Column)? Open(ref int depth, int maxDepth, int width)
        {
            depth++;
            var at = (_line, Column);
            _slashStartsRegex = true;
            _position += width;
            return depth > maxDepth ? at : null;
        }

        private static Diagnostic Report(string path, (int Line, int Column) at, int maxDepth) =>
            ScriptSyntax.Error(
                path,
                ScriptDiagnosticCodes.NestingTooDeep,
                $"brackets nest deeper than {maxDepth} levels; split the expression into smaller functions or variables.",
                at.Line,
                at.Column);

        // Skips template text up to its closing backquote (false) or to the start of a `${` substitution, which it
        // leaves unconsumed (true). An unterminated template is the parser's to report.
        private bool SkipTemplateText()
        {
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '`')
                {
                    _position++;
                    _slashStartsRegex = false;
                    return false;
                }

                if (c == '$' && Peek(1) == '{')
                {
                    return true;
                }

                if (c == '\n')
                {
                    NewLine();
                    continue;
                }

                _position += c == '\\' && Peek(1) != '\n' ? 2 : 1;
            }

            return false;
        }

        private readonly char Peek(int offset) =>
            _position + offset < _text.Length ? _text[_position + offset] : '\0';

        private void NewLine()
        {
            _position++;
            _line++;
            _lineStart = _position;
        }

        private void ScanWord()
        {
            var start = _position;
            while (_position < _text.Length && IsIdentifierPart(_text[_position]))
            {
                _position++;
            }

            var word = _text.AsSpan(start, _position - start);
            _slashStartsRegex = KeywordsBeforeExpression.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
        }

        private void SkipLineComment()
        {
            while (_position < _text.Length && _text[_position] != '\n')
            {
                _position++;
            }
        }

        private void SkipBlockComment()
        {
            _position += 2;
            while (_position < _text.Length && !(_text[_position] == '*' && Peek(1) == '/'))
            {
                if (_text[_position] == '\n')
                {
                    NewLine();
                }
                else
                {
                    _position++;
                }
            }

            _position += 2;
        }

        // A string ends at its quote or, unterminated, at the line end; the parser reports the latter.
        private void SkipString(char quote)
        {
            _position++;
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == quote)
                {
                    _position++;
                    return;
                }

                if (c == '\n')
                {
                    return;
                }

                if (c == '\\' && Peek(1) == '\n')
                {
                    _position++;
                    NewLine();
                    continue;
                }

                _position += c == '\\' ? 2 : 1;
            }
        }

        // A regular expression literal ends at an unescaped '/' outside a character class, or at the line end.
        private void SkipRegex()
        {
            _position++;
            var inClass = false;
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '\n')
                {
                    return;
                }

                if (c == '\\')
                {
                    _position += Peek(1) == '\n' ? 1 : 2;
                    continue;
                }

                _position++;
                if (c == '[')
                {
                    inClass = true;
                }
                else if (c == ']')
                {
                    inClass = false;
                }
                else if (c == '/' && !inClass)
                {
                    return;
                }
            }
        }

        private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$' or '.';
    }
}
