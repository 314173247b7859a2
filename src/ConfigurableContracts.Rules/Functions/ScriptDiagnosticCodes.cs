namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// The stable codes of the problems found while loading a template's <c>functions.js</c>, in the range CCR0400–CCR0499;
/// docs/javascript-functions.md explains each one.
/// </summary>
/// <remarks>
/// They are reported as <see cref="Diagnostic"/>s, always errors: a
/// file with one is not loaded. A code is never reused: CCR0405 (regular expression literals) and CCR0409 (<c>+=</c>
/// with side effects) were retired when the sandbox moved to Jint 4, whose literals are fresh on every evaluation and
/// whose memory limit replaced the rewritten <c>+</c> operator that needed them.
/// </remarks>
public static class ScriptDiagnosticCodes
{
    /// <summary>The script is longer than the source size limit.</summary>
    public const string SourceTooLarge = "CCR0400";

    /// <summary>Brackets, parentheses or braces nest deeper than the nesting limit.</summary>
    public const string NestingTooDeep = "CCR0401";

    /// <summary>The script is not valid strict-mode ECMAScript 2024.</summary>
    public const string SyntaxError = "CCR0402";

    /// <summary>An expression or statement chain nests deeper than the syntax depth limit.</summary>
    public const string SyntaxTooDeep = "CCR0403";

    /// <summary>Top-level code other than function declarations and constant <c>var</c>/<c>const</c> declarations.</summary>
    public const string TopLevelCodeNotAllowed = "CCR0404";

    /// <summary>Two top-level functions or constants share a name.</summary>
    public const string DuplicateName = "CCR0406";

    /// <summary>A <c>@returns</c> tag names a type the rule engine does not know.</summary>
    public const string UnknownReturnType = "CCR0407";

    /// <summary>The top-level constant declarations failed when the script was run.</summary>
    public const string TopLevelFailed = "CCR0408";

    /// <summary>Valid JavaScript the sandbox does not run: async functions and <c>await</c>, <c>import()</c>, BigInt literals.</summary>
    public const string FeatureNotAllowed = "CCR0410";
}
