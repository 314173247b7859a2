using System.Runtime.CompilerServices;
using ConfigurableContracts.Rules.Functions;

namespace ConfigurableContracts.Tests.Corpora;

/// <summary>
/// The two corpora of code-like attacks, read from their data files: rule expressions that try to escape the data
/// (<c>Binding/EscapeCorpus.txt</c>) and hostile <c>functions.js</c> files (<c>Functions/HostileScripts/</c>), plus
/// the hostile scripts too big or too deep to keep as files, generated here.
/// This file is compiled into the rule engine's tests and, linked, into the server's tests, which load every case
/// into a running server's template; the data files travel the same way, so both read the same cases.
/// </summary>
internal static class HostileCorpora
{
    /// <summary>The corpus folder beside this source file, for the rule engine's tests.</summary>
    public static string SourceRoot([CallerFilePath] string sourceFile = "") => Path.GetDirectoryName(Path.GetDirectoryName(sourceFile))!;

    /// <summary>Every escape attempt: one expression per line; blank and <c>#</c> lines are not cases.</summary>
    public static IReadOnlyList<string> EscapeAttempts(string root) =>
        File.ReadAllLines(Path.Combine(root, "Binding", "EscapeCorpus.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    /// <summary>Every hostile script's file name, in a stable order.</summary>
    public static IReadOnlyList<string> ScriptNames(string root) =>
        Directory.EnumerateFiles(ScriptFolder(root), "*.js").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    /// <summary>
    /// A script's source and what its first line (<c>// expect: refused CODE</c> or <c>// expect: fails</c>) says:
    /// the diagnostic code it must be refused with at load, or null when it loads and must fail when called.
    /// </summary>
    public static (string Source, string? RefusedWith) Script(string root, string fileName)
    {
        var source = File.ReadAllText(Path.Combine(ScriptFolder(root), fileName));
        var expectation = source.Split('\n', 2)[0].Replace("// expect:", "", StringComparison.Ordinal).Trim();
        if (expectation.StartsWith("refused ", StringComparison.Ordinal))
        {
            return (source, expectation["refused ".Length..]);
        }

        return expectation == "fails"
            ? (source, null)
            : throw new InvalidDataException($"{fileName} does not start with '// expect: refused CODE' or '// expect: fails'.");
    }

    /// <summary>
    /// Scripts generated rather than stored (each would be a 40–200 KB file of brackets or operators), with the
    /// diagnostic code each must be refused with at load: they aim at the parser's recursion, where a stack overflow
    /// would end the process.
    /// </summary>
    public static IReadOnlyList<(string Description, string Source, string RefusedWith)> GeneratedScripts() =>
    [
        ("100 000-deep array literal", "var x = " + new string('[', 100_000) + new string(']', 100_000) + ";", ScriptDiagnosticCodes.SourceTooLarge),
        ("30 000 nested parentheses", "function attack() { return " + new string('(', 30_000) + "1" + new string(')', 30_000) + "; }", ScriptDiagnosticCodes.NestingTooDeep),
        ("70 nested object literals", "var x = " + Repeat("{a:", 70) + "1" + new string('}', 70) + ";", ScriptDiagnosticCodes.NestingTooDeep),
        ("parentheses hidden behind a slash the scan reads as a regex", "var x = {} / " + new string('(', 20_000) + "1" + new string(')', 20_000) + ";", ScriptDiagnosticCodes.NestingTooDeep),
        ("60 000 prefix operators", "function attack() { return " + new string('!', 60_000) + "x; }", ScriptDiagnosticCodes.SyntaxTooDeep),
        ("30 000-term addition", "function attack() { return 1" + Repeat("+1", 30_000) + "; }", ScriptDiagnosticCodes.SyntaxTooDeep),
        ("20 000 chained assignments", "function attack() { var a; return " + Repeat("a=", 20_000) + "1; }", ScriptDiagnosticCodes.SyntaxTooDeep),
        ("12 000 nested ifs", "function attack(x) { " + Repeat("if(x)", 12_000) + "return 1; }", ScriptDiagnosticCodes.SyntaxTooDeep),
        ("15 000 chained new", "function attack() { return " + Repeat("new ", 15_000) + "Object; }", ScriptDiagnosticCodes.SyntaxTooDeep),
    ];

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    private static string ScriptFolder(string root) => Path.Combine(root, "Functions", "HostileScripts");
}
