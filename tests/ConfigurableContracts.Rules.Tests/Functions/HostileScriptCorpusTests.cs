using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Tests.Corpora;

namespace ConfigurableContracts.Rules.Tests.Functions;

/// <summary>
/// Every hostile functions.js must be refused when loaded or fail with <see cref="RuleFunctionException"/> when
/// called. A case that crashed the process would end the test run itself, so a green run also shows the host
/// survived each one. The files in HostileScripts say in their first line which outcome they expect.
/// </summary>
public sealed class HostileScriptCorpusTests
{
    private const string AttackFunction = "attack";

    public static TheoryData<string> CorpusFiles() => [.. HostileCorpora.ScriptNames(HostileCorpora.SourceRoot())];

    [Fact]
    public void Corpus_HasAtLeastTwentyCases()
    {
        Assert.True(CorpusFiles().Count >= 20, $"only {CorpusFiles().Count} hostile scripts");
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void HostileScript_IsRefusedOrFailsCleanly(string fileName)
    {
        var (source, refusedWith) = HostileCorpora.Script(HostileCorpora.SourceRoot(), fileName);

        var functions = JavaScriptFunctions.Load(fileName, source, out var diagnostics);

        if (refusedWith is not null)
        {
            Assert.Null(functions);
            Assert.Contains(diagnostics, d => d.Code == refusedWith);
        }
        else
        {
            Assert.Empty(diagnostics);
            Assert.NotNull(functions);
            Assert.Throws<RuleFunctionException>(() => functions.Invoke(AttackFunction, []));

            // The engine that ran the attack goes back to the pool; the next call must fail the same way, not
            // find state the attack left behind.
            Assert.Throws<RuleFunctionException>(() => functions.Invoke(AttackFunction, []));
        }
    }

    public static TheoryData<string, string, string> GeneratedScripts() => new()
    {
        { "100 000-deep array literal", "var x = " + new string('[', 100_000) + new string(']', 100_000) + ";", ScriptDiagnosticCodes.SourceTooLarge },
        { "30 000 nested parentheses", "function attack() { return " + new string('(', 30_000) + "1" + new string(')', 30_000) + "; }", ScriptDiagnosticCodes.NestingTooDeep },
        { "70 nested object literals", "var x = " + Repeat("{a:", 70) + "1" + new string('}', 70) + ";", ScriptDiagnosticCodes.NestingTooDeep },
        { "parentheses hidden behind a slash the scan reads as a regex", "var x = {} / " + new string('(', 20_000) + "1" + new string(')', 20_000) + ";", ScriptDiagnosticCodes.NestingTooDeep },
        { "60 000 prefix operators", "function attack() { return " + new string('!', 60_000) + "x; }", ScriptDiagnosticCodes.SyntaxTooDeep },
        { "30 000-term addition", "function attack() { return 1" + Repeat("+1", 30_000) + "; }", ScriptDiagnosticCodes.SyntaxTooDeep },
        { "20 000 chained assignments", "function attack() { var a; return " + Repeat("a=", 20_000) + "1; }", ScriptDiagnosticCodes.SyntaxTooDeep },
        { "12 000 nested ifs", "function attack(x) { " + Repeat("if(x)", 12_000) + "return 1; }", ScriptDiagnosticCodes.SyntaxTooDeep },
        { "15 000 chained new", "function attack() { return " + Repeat("new ", 15_000) + "Object; }", ScriptDiagnosticCodes.SyntaxTooDeep },
    };

    [Theory]
    [MemberData(nameof(GeneratedScripts))]
    public void GeneratedScript_IsRefusedAtLoad(string description, string source, string code)
    {
        var functions = JavaScriptFunctions.Load(description, source, out var diagnostics);

        Assert.Null(functions);
        Assert.Contains(diagnostics, d => d.Code == code);
    }

    [Fact]
    public void Load_RefusesHundredThousandDeepLiteral_WhenSizeLimitIsRaised()
    {
        // Without the size cap, only the bracket scan stands between this text and Jint's recursive parser.
        var source = "var x = " + new string('[', 100_000) + new string(']', 100_000) + ";";
        var options = JavaScriptFunctionOptions.Default with { MaxSourceLength = 1_000_000 };

        var functions = JavaScriptFunctions.Load("deep.js", source, out var diagnostics, options);

        Assert.Null(functions);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ScriptDiagnosticCodes.NestingTooDeep, diagnostic.Code);
        Assert.Equal((1, 9 + 64), (diagnostic.Line, diagnostic.Column));
    }

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));
}
