using System.Globalization;
using System.Text;

namespace ConfigurableContracts.Rules.Syntax;

/// <summary>
/// Splits an expression into tokens. Keywords are case-insensitive (<c>AND</c>, <c>and</c>, <c>And</c>), as in
/// RulesEngine's Dynamic LINQ; integer literals are <see cref="long"/>, real literals are <see cref="decimal"/>.
/// </summary>
internal sealed class Lexer
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["true"] = TokenKind.TrueKeyword,
        ["false"] = TokenKind.FalseKeyword,
        ["null"] = TokenKind.NullKeyword,
        ["and"] = TokenKind.AndKeyword,
        ["or"] = TokenKind.OrKeyword,
        ["not"] = TokenKind.NotKeyword,
        ["in"] = TokenKind.InKeyword,
        ["new"] = TokenKind.NewKeyword,
    };

    private readonly string _text;
    private readonly Action<string, string, TextSpan> _report;
    private int _position;

    /// <param name="text">The expression.</param>
    /// <param name="report">Receives (code, message, span) for each lexical error.</param>
    public Lexer(string text, Action<string, string, TextSpan> report)
    {
        _text = text;
        _report = report;
    }

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.EndOfText) return tokens;
        }
    }

    private char Current => Peek(0);

    private char Peek(int ahead) => _position + ahead < _text.Length ? _text[_position + ahead] : '\0';

    private Token Next()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position])) _position++;
        var start = _position;
        if (_position >= _text.Length) return new Token(TokenKind.EndOfText, "", new TextSpan(start, 0));

        var c = Current;
        if (char.IsLetter(c) || c == '_') return ReadIdentifier(start);
        if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(1)))) return ReadNumber(start);
        if (c is '"' or '\'') return ReadString(start, c);

        var (kind, length) = c switch
        {
            '(' => (TokenKind.OpenParen, 1),
            ')' => (TokenKind.CloseParen, 1),
            '[' => (TokenKind.OpenBracket, 1),
            ']' => (TokenKind.CloseBracket, 1),
            '{' => (TokenKind.OpenBrace, 1),
            '}' => (TokenKind.CloseBrace, 1),
            ',' => (TokenKind.Comma, 1),
            '.' => (TokenKind.Dot, 1),
            ':' => (TokenKind.Colon, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '?' when Peek(1) == '?' => (TokenKind.QuestionQuestion, 2),
            '?' => (TokenKind.Question, 1),
            '&' when Peek(1) == '&' => (TokenKind.AmpersandAmpersand, 2),
            '|' when Peek(1) == '|' => (TokenKind.BarBar, 2),
            '!' when Peek(1) == '=' => (TokenKind.BangEquals, 2),
            '!' => (TokenKind.Bang, 1),
            '=' when Peek(1) == '=' => (TokenKind.EqualsEquals, 2),
            '=' when Peek(1) == '>' => (TokenKind.Arrow, 2),
            '=' => (TokenKind.Equals, 1),
            '<' when Peek(1) == '=' => (TokenKind.LessEquals, 2),
            '<' when Peek(1) == '>' => (TokenKind.LessGreater, 2),
            '<' => (TokenKind.Less, 1),
            '>' when Peek(1) == '=' => (TokenKind.GreaterEquals, 2),
            '>' => (TokenKind.Greater, 1),
            _ => (TokenKind.Bad, 1),
        };
        _position += length;
        var span = new TextSpan(start, length);
        if (kind == TokenKind.Bad)
            _report(DiagnosticCodes.UnexpectedCharacter, $"Unexpected character '{c}'.{Instead(c)}", span);
        return new Token(kind, _text.Substring(start, length), span);
    }

    /// <summary>How to write what Dynamic LINQ users mean by the characters it accepts and we do not.</summary>
    private static string Instead(char c) => c switch
    {
        '&' => " Bitwise operators are not supported; write && (or and) for a condition.",
        '|' => " Bitwise operators are not supported; write || (or or) for a condition.",
        '^' or '~' => " Bitwise operators are not supported.",
        '@' => " '@' identifiers are not supported; write the name without '@'.",
        _ => "",
    };

    /// <summary><c>0x1F</c>: Dynamic LINQ reads hexadecimal integers as C# does.</summary>
    private Token ReadHexNumber(int start)
    {
        _position += 2;
        while (char.IsAsciiHexDigit(Current)) _position++;
        var digitsEnd = _position;
        if (char.ToUpperInvariant(Current) == 'L') _position++;
        if (char.IsLetterOrDigit(Current) || Current == '_')
        {
            while (char.IsLetterOrDigit(Current) || Current == '_') _position++;
            return BadNumber(start);
        }
        var span = TextSpan.FromBounds(start, _position);
        return long.TryParse(_text.AsSpan(start + 2, digitsEnd - start - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var integer)
            ? new Token(TokenKind.IntegerLiteral, _text[start.._position], span, integer)
            : BadNumber(start);
    }

    private Token ReadIdentifier(int start)
    {
        while (char.IsLetterOrDigit(Current) || Current == '_') _position++;
        var text = _text[start.._position];
        var kind = Keywords.TryGetValue(text, out var keyword) ? keyword : TokenKind.Identifier;
        return new Token(kind, text, TextSpan.FromBounds(start, _position));
    }

    private Token ReadNumber(int start)
    {
        if (Current == '0' && Peek(1) is 'x' or 'X' && char.IsAsciiHexDigit(Peek(2))) return ReadHexNumber(start);
        var isReal = false;
        while (char.IsDigit(Current)) _position++;
        if (Current == '.' && char.IsDigit(Peek(1)))
        {
            isReal = true;
            _position++;
            while (char.IsDigit(Current)) _position++;
        }
        if (Current is 'e' or 'E' && (char.IsDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsDigit(Peek(2)))))
        {
            isReal = true;
            _position += 2;
            while (char.IsDigit(Current)) _position++;
        }
        var digitsEnd = _position;
        // C# suffixes are accepted so RulesEngine expressions keep working, but every real is decimal here.
        var suffix = char.ToUpperInvariant(Current);
        if (suffix is 'M' or 'D' or 'F')
        {
            isReal = true;
            _position++;
        }
        else if (suffix == 'L')
        {
            _position++;
        }
        if (char.IsLetterOrDigit(Current) || Current == '_')
        {
            while (char.IsLetterOrDigit(Current) || Current == '_') _position++;
            return BadNumber(start);
        }

        var digits = _text[start..digitsEnd];
        var span = TextSpan.FromBounds(start, _position);
        var text = _text[start.._position];
        if (!isReal && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
            return new Token(TokenKind.IntegerLiteral, text, span, integer);
        if (decimal.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            return new Token(TokenKind.RealLiteral, text, span, real);
        return BadNumber(start);
    }

    private Token BadNumber(int start)
    {
        var span = TextSpan.FromBounds(start, _position);
        var text = _text[start.._position];
        _report(DiagnosticCodes.InvalidNumber, $"'{text}' is not a valid number.", span);
        return new Token(TokenKind.Bad, text, span);
    }

    private Token ReadString(int start, char quote)
    {
        _position++;
        var value = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                var span = TextSpan.FromBounds(start, _position);
                _report(DiagnosticCodes.UnterminatedString, "String literal is not closed.", span);
                return new Token(TokenKind.Bad, _text[start.._position], span);
            }
            var c = _text[_position];
            if (c == quote)
            {
                _position++;
                break;
            }
            if (c != '\\')
            {
                value.Append(c);
                _position++;
                continue;
            }
            ReadEscape(value);
        }
        return new Token(TokenKind.StringLiteral, _text[start.._position], TextSpan.FromBounds(start, _position), value.ToString());
    }

    private void ReadEscape(StringBuilder value)
    {
        var escapeStart = _position;
        var c = Peek(1);
        _position += 2;
        switch (c)
        {
            case '"': value.Append('"'); return;
            case '\'': value.Append('\''); return;
            case '\\': value.Append('\\'); return;
            case '0': value.Append('\0'); return;
            case 'n': value.Append('\n'); return;
            case 'r': value.Append('\r'); return;
            case 't': value.Append('\t'); return;
            case 'u':
                var hex = _position + 4 <= _text.Length ? _text.Substring(_position, 4) : "";
                if (hex.Length == 4 && int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                {
                    value.Append((char)code);
                    _position += 4;
                    return;
                }
                break;
        }
        if (_position > _text.Length) _position = _text.Length;
        _report(DiagnosticCodes.InvalidEscape, $"Invalid escape sequence '\\{c}' in string literal.",
            TextSpan.FromBounds(escapeStart, _position));
    }
}
