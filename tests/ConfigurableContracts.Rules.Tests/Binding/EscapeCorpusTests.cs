using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Tests.Binding;

/// <summary>
/// Attempts to reach beyond the data (reflection, types, files, process, clock, object creation). Every one must be
/// refused with an error diagnostic when the file is loaded, and the rule must report Error without running.
/// </summary>
public class EscapeCorpusTests
{
    public static TheoryData<string> Attempts() =>
    [
        "input.GetType() != null",
        "input.GetType().Assembly != null",
        "\"\".GetType().Assembly.GetTypes().Any()",
        "typeof(System.IO.File) != null",
        "System.IO.File.Exists(\"/etc/passwd\")",
        "System.IO.File.ReadAllText(\"/etc/passwd\") == \"\"",
        "System.IO.Directory.GetFiles(\"/\").Any()",
        "System.Environment.GetEnvironmentVariable(\"PATH\") != null",
        "Environment.Exit(1) == null",
        "System.Diagnostics.Process.Start(\"sh\") != null",
        "Process.GetCurrentProcess().Kill() == null",
        "Activator.CreateInstance(\"System.Net.WebClient\") != null",
        "AppDomain.CurrentDomain.GetAssemblies().Any()",
        "DateTime.Now > asOf",
        "DateTime.UtcNow > asOf",
        "DateTime.Today == asOf",
        "DateTimeOffset.Now != null",
        "new System.Net.WebClient() != null",
        "new { x = 1 }.x == 1",
        "input.items.Any(x => x.GetType().Assembly.FullName != \"\")",
        "input.items.Any(x => input.items.All(y => System.IO.File.Exists(y.path)))",
        "input.items.Select(x => Activator.CreateInstance(x.type)).Any()",
        "(object)input != null",
        "object(input) != null",
        "input.ToString() == \"\"",
        "Convert.ChangeType(input, \"System.Object\") != null",
        "Math.GetType() != null",
        "string.Format(\"{0}\", input) == \"\"",
        "Type.GetType(\"System.IO.File\") != null",
        "input.Equals(input)",
        "System.Threading.Thread.Sleep(100000) == null",
        "GC.Collect() == null",
        "Console.ReadLine() == \"\"",
        "input.Invoke(1) == 1",
        "fn.constructor(\"return process\")() == null",
        "Expression.Lambda(input).Compile()() == null",
        "input.items.AsQueryable().Any()",
        "input.items.Cast<object>().Any()",
        "it.GetType() != null",
        "@input.GetType() != null",
        "np(input.x) == null",
        "DateTime.Parse(\"2020-01-01\").GetType() != null",
        "asOf.ToString() == \"\"",
    ];

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
