namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// Refuses a script before Jint's parser sees it. Jint 2.10.4 parses with unguarded recursion, so a 100 000-deep
/// bracket nest overflows the stack, which .NET cannot catch: the whole server would die. This scan is a flat loop
/// over the text that measures the size and the bracket depth while skipping comments, strings and regular
/// expression literals, so brackets inside them do not count.
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

        public Scanner(string text)
        {
            _text = text;
            _line = 1;
            _slashStartsRegex = true;
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
                    case '(' or '[' or '{':
                        depth++;
                        if (depth > maxDepth)
                        {
                            return ScriptSyntax.Error(
                                path,
                                ScriptDiagnosticCodes.NestingTooDeep,
                                $"brackets nest deeper than {maxDepth} levels; split the expression into smaller functions or variables.",
                                _line,
                                Column);
                        }

                        _slashStartsRegex = true;
                        _position++;
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
