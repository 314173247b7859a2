namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// The stable codes of the problems found while loading a template's <c>functions.js</c>, in the range CCR0400–CCR0499;
/// docs/javascript-functions.md explains each one. They are reported as <see cref="Diagnostic"/>s, always errors: a
/// file with one is not loaded.
/// </summary>
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
