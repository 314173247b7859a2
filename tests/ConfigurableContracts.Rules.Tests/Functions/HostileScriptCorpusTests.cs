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

    public static TheoryData<string, string, string> GeneratedScripts()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (description, source, code) in HostileCorpora.GeneratedScripts())
        {
            data.Add(description, source, code);
        }

        return data;
    }

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
        Assert.Equal((1, 9 + 64), (diagnostic.Location.Line, diagnostic.Location.Column));
    }
}
