using ConfigurableContracts.Rules.Syntax;

namespace ConfigurableContracts.Rules.Tests.Syntax;

public class LexerTests
{
    private static List<Token> Lex(string text, List<SyntaxError>? errors = null) =>
        new Lexer(text, (code, message, span) => errors?.Add(new SyntaxError(code, message, span))).Tokenize();

    [Theory]
    [InlineData("AND", TokenKind.AndKeyword)]
    [InlineData("and", TokenKind.AndKeyword)]
    [InlineData("And", TokenKind.AndKeyword)]
    [InlineData("OR", TokenKind.OrKeyword)]
    [InlineData("NOT", TokenKind.NotKeyword)]
    [InlineData("True", TokenKind.TrueKeyword)]
    [InlineData("NULL", TokenKind.NullKeyword)]
    [InlineData("In", TokenKind.InKeyword)]
    public void Tokenize_RecognisesKeyword_WhateverTheCase(string text, TokenKind expected) =>
        Assert.Equal(expected, Lex(text)[0].Kind);

    [Theory]
    [InlineData("42", TokenKind.IntegerLiteral, 42L)]
    [InlineData("42L", TokenKind.IntegerLiteral, 42L)]
    [InlineData("9223372036854775807", TokenKind.IntegerLiteral, long.MaxValue)]
    public void Tokenize_ReadsLong_WhenIntegerLiteral(string text, TokenKind kind, long value)
    {
        var token = Lex(text)[0];
        Assert.Equal(kind, token.Kind);
        Assert.Equal(value, token.Value);
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("0.1", "0.1")]
    [InlineData("2m", "2")]
    [InlineData("2.50M", "2.50")]
    [InlineData("1.5d", "1.5")]
    [InlineData("1e3", "1000")]
    [InlineData(".5", "0.5")]
    public void Tokenize_ReadsDecimal_WhenRealLiteral(string text, string expected)
    {
        var token = Lex(text)[0];
        Assert.Equal(TokenKind.RealLiteral, token.Kind);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), token.Value);
    }

    [Theory]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"tab\\there\"", "tab\there")]
    [InlineData("\"line\\nbreak\"", "line\nbreak")]
    [InlineData("\"back\\\\slash\"", "back\\slash")]
    [InlineData("\"\\u00e9t\\u00e9\"", "été")]
    [InlineData("'single'", "single")]
    [InlineData("'it\\'s'", "it's")]
    public void Tokenize_DecodesEscapes_InStringLiterals(string text, string expected)
    {
        var token = Lex(text)[0];
        Assert.Equal(TokenKind.StringLiteral, token.Kind);
        Assert.Equal(expected, token.Value);
    }

    [Fact]
    public void Tokenize_ReportsUnterminatedString_AtItsStart()
    {
        var errors = new List<SyntaxError>();
        Lex("x == \"abc", errors);
        var error = Assert.Single(errors);
        Assert.Equal(DiagnosticCodes.UnterminatedString, error.Code);
        Assert.Equal(5, error.Span.Start);
    }

    [Fact]
    public void Tokenize_ReportsInvalidEscape()
    {
        var errors = new List<SyntaxError>();
        Lex("\"a\\qb\"", errors);
        Assert.Equal(DiagnosticCodes.InvalidEscape, Assert.Single(errors).Code);
    }

    [Fact]
    public void Tokenize_ReportsUnexpectedCharacter_WithPosition()
    {
        var errors = new List<SyntaxError>();
        Lex("a # b", errors);
        var error = Assert.Single(errors);
        Assert.Equal(DiagnosticCodes.UnexpectedCharacter, error.Code);
        Assert.Equal(2, error.Span.Start);
    }

    [Fact]
    public void Tokenize_ReportsInvalidNumber_WhenIntegerOverflowsLong()
    {
        var errors = new List<SyntaxError>();
        var token = Lex("99999999999999999999999999999999999", errors)[0];
        Assert.Equal(TokenKind.Bad, token.Kind);
        Assert.Equal(DiagnosticCodes.InvalidNumber, Assert.Single(errors).Code);
    }

    [Fact]
    public void Tokenize_SplitsOperators_LongestFirst()
    {
        var kinds = Lex("a<>b <= c >= d != e == f = g => h ?? i && j || k").Select(t => t.Kind).Where(k => k != TokenKind.Identifier).ToList();
        Assert.Equal(
            [TokenKind.LessGreater, TokenKind.LessEquals, TokenKind.GreaterEquals, TokenKind.BangEquals, TokenKind.EqualsEquals,
             TokenKind.Equals, TokenKind.Arrow, TokenKind.QuestionQuestion, TokenKind.AmpersandAmpersand, TokenKind.BarBar, TokenKind.EndOfText],
            kinds);
    }
}
