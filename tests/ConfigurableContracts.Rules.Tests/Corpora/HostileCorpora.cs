using System.Runtime.CompilerServices;

namespace ConfigurableContracts.Tests.Corpora;

/// <summary>
/// The two corpora of code-like attacks, read from their data files: rule expressions that try to escape the data
/// (<c>Binding/EscapeCorpus.txt</c>) and hostile <c>functions.js</c> files (<c>Functions/HostileScripts/</c>).
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

    private static string ScriptFolder(string root) => Path.Combine(root, "Functions", "HostileScripts");
}
