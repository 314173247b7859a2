namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// A problem found while loading a template's <c>functions.js</c>. The sandbox keeps its own record instead of the
/// rule engine's diagnostic type so the two streams stay independent; the caller adds the file path and severity
/// (every script diagnostic is an error: a file with one is not loaded).
/// </summary>
/// <param name="Code">A stable code from <see cref="ScriptDiagnosticCodes"/>, in the range CCR0400–CCR0499.</param>
/// <param name="Message">What is wrong, in words a template designer can act on.</param>
/// <param name="Line">1-based line in the script.</param>
/// <param name="Column">1-based column in the script.</param>
public sealed record ScriptDiagnostic(string Code, string Message, int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}: error {Code}: {Message}";
}

/// <summary>The stable codes of <see cref="ScriptDiagnostic"/>; docs/javascript-functions.md explains each one.</summary>
public static class ScriptDiagnosticCodes
{
    /// <summary>The script is longer than the source size limit.</summary>
    public const string SourceTooLarge = "CCR0400";

    /// <summary>Brackets, parentheses or braces nest deeper than the nesting limit.</summary>
    public const string NestingTooDeep = "CCR0401";

    /// <summary>The script is not valid ECMAScript 5.1.</summary>
    public const string SyntaxError = "CCR0402";

    /// <summary>An expression or statement chain nests deeper than the syntax depth limit.</summary>
    public const string SyntaxTooDeep = "CCR0403";

    /// <summary>Top-level code other than function declarations and constant <c>var</c> declarations.</summary>
    public const string TopLevelCodeNotAllowed = "CCR0404";

    /// <summary>A regular expression literal; <c>new RegExp("…")</c> is required instead.</summary>
    public const string RegexLiteralNotAllowed = "CCR0405";

    /// <summary>Two top-level functions or constants share a name.</summary>
    public const string DuplicateName = "CCR0406";

    /// <summary>A <c>@returns</c> tag names a type the rule engine does not know.</summary>
    public const string UnknownReturnType = "CCR0407";

    /// <summary>The top-level constant declarations failed when the script was run.</summary>
    public const string TopLevelFailed = "CCR0408";

    /// <summary><c>+=</c> on a target whose evaluation has side effects (e.g. <c>a[i++] += x</c>).</summary>
    public const string CompoundAssignmentNotAllowed = "CCR0409";
}
