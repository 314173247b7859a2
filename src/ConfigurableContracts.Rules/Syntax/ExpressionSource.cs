namespace ConfigurableContracts.Rules.Syntax;

/// <summary>
/// An expression's text together with where it sits in its file, so that a diagnostic at offset 17 of the string
/// points at the right line and column of the workflow JSON (escapes such as <c>\"</c> included).
/// </summary>
public sealed class ExpressionSource
{
    private readonly Func<int, SourceLocation> _locate;

    public ExpressionSource(string text, Func<int, SourceLocation> locate)
    {
        Text = text;
        _locate = locate;
    }

    public string Text { get; }

    /// <summary>Where the expression starts in its file.</summary>
    public SourceLocation Location => _locate(0);

    /// <summary>An expression not read from a file: offsets map to columns of line 1.</summary>
    public static ExpressionSource FromText(string text, string path = "<expression>") =>
        new(text, offset => new SourceLocation(path, 1, offset + 1));

    /// <summary>The file position of the character at <paramref name="offset"/> in <see cref="Text"/>.</summary>
    public SourceLocation LocationAt(int offset) => _locate(Math.Clamp(offset, 0, Text.Length));

    public override string ToString() => Text;
}

/// <summary>A range of characters in an expression's text.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan FromBounds(int start, int end) => new(start, end - start);
}
