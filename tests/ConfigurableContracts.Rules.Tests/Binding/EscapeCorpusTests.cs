using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Tests.Corpora;

namespace ConfigurableContracts.Rules.Tests.Binding;

/// <summary>
/// Attempts to reach beyond the data (reflection, types, files, process, clock, object creation). Every one must be
/// refused with an error diagnostic when the file is loaded, and the rule must report Error without running.
/// </summary>
public class EscapeCorpusTests
{
    /// <summary>The attempts in <c>EscapeCorpus.txt</c>, one expression per line.</summary>
    public static TheoryData<string> Attempts() => [.. HostileCorpora.EscapeAttempts(HostileCorpora.SourceRoot())];

    private static readonly Dictionary<string, RuleType> Inputs = new()
    {
        ["input"] = RuleType.Any,
        ["asOf"] = RuleType.Date,
    };

    [Theory]
    [MemberData(nameof(Attempts))]
    public void Compile_RefusesEscapeAttempt_AndNeverRunsIt(string expression)
    {
        var functions = new FakeFunctions().Add("ok", 0, "boolean", _ => throw new InvalidOperationException("must never run"));
        var read = Rules.Workflows.WorkflowReader.Read("escape.json", TestEngine.SingleRule(expression));
        Assert.False(read.HasErrors);
        var compilation = Rules.Compilation.WorkflowCompiler.Compile(read.Workflows, Inputs, functions);

        Assert.True(compilation.HasErrors, $"'{expression}' was accepted");
        var result = compilation.Workflows.Evaluate("W", new RuleInputs().Set("input", new Dictionary<string, object?>()).Set("asOf", new DateTime(2024, 1, 1)))[0];
        Assert.Equal(RuleStatus.Error, result.Status);
        Assert.Contains("CCR0", result.ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_HasAtLeastThirtyAttempts() => Assert.True(Attempts().Count >= 30);

    [Theory]
    [InlineData("DateTime.Now > asOf")]
    [InlineData("input.GetType() != null")]
    public void Compile_ExplainsWhy_ForbiddenMembersAreRefused(string expression)
    {
        var diagnostics = TestEngine.Diagnose(expression, Inputs);
        var error = Assert.Single(diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticCodes.ForbiddenMember, error.Code);
        Assert.Contains("not allowed", error.Message, StringComparison.Ordinal);
    }
}
