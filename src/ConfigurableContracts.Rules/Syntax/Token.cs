namespace ConfigurableContracts.Rules.Syntax;

/// <summary>The kinds of token of the expression language.</summary>
public enum TokenKind
{
    EndOfText,
    Bad,
    Identifier,
    IntegerLiteral,
    RealLiteral,
    StringLiteral,
    // Keywords (matched case-insensitively, as Dynamic LINQ does).
    TrueKeyword,
    FalseKeyword,
    NullKeyword,
    AndKeyword,
    OrKeyword,
    NotKeyword,
    InKeyword,
    NewKeyword,
    // Punctuation and operators.
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    OpenBrace,
    CloseBrace,
    Comma,
    Dot,
    Question,
    QuestionQuestion,
    Colon,
    Arrow,
    AmpersandAmpersand,
    BarBar,
    Bang,
    Equals,
    EqualsEquals,
    BangEquals,
    LessGreater,
    Less,
    LessEquals,
    Greater,
    GreaterEquals,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
}

/// <summary>One token: its kind, its exact text, where it is, and for literals the parsed value.</summary>
public sealed record Token(TokenKind Kind, string Text, TextSpan Span, object? Value = null);
