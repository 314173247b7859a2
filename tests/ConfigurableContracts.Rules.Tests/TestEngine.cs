using System.Text.Json;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Tests;

/// <summary>Reads, compiles and evaluates small workflows written inline in tests.</summary>
internal static class TestEngine
{
    public static WorkflowCompilation Compile(string workflowJson, IReadOnlyDictionary<string, RuleType> inputTypes, IRuleFunctions? functions = null)
    {
        var read = WorkflowReader.Read("test.json", workflowJson);
        Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
        return WorkflowCompiler.Compile(read.Workflows, inputTypes, functions);
    }

    /// <summary>A one-rule workflow around <paramref name="expression"/>, as JSON text.</summary>
    public static string SingleRule(string expression) =>
        JsonSerializer.Serialize(new { WorkflowName = "W", Rules = new[] { new { RuleName = "R", Expression = expression } } });

    /// <summary>A one-rule workflow whose always-true rule outputs <paramref name="expression"/>, as JSON text.</summary>
    public static string SingleOutputRule(string expression) =>
        JsonSerializer.Serialize(new
        {
            WorkflowName = "W",
            Rules = new[]
            {
                new
                {
                    RuleName = "R",
                    Expression = "true",
                    Actions = new { OnSuccess = new { Name = "OutputExpression", Context = new { Expression = expression } } },
                },
            },
        });

    /// <summary>Compiles one expression over untyped/inferred inputs given as JSON and evaluates it.</summary>
    public static RuleResultTree Evaluate(string expression, string inputsJson = "{}", IRuleFunctions? functions = null) =>
        EvaluateOnly(SingleRule(expression), inputsJson, functions);

    /// <summary>The value an expression computes, via an OutputExpression action on an always-true rule.</summary>
    public static object? Value(string expression, string inputsJson = "{}", IRuleFunctions? functions = null)
    {
        var result = EvaluateOutput(expression, inputsJson, functions);
        Assert.True(result.Status == RuleStatus.Achieved, $"{result.Status}: {result.Reason}");
        return result.ActionOutput;
    }

    public static RuleResultTree EvaluateOutput(string expression, string inputsJson = "{}", IRuleFunctions? functions = null) =>
        EvaluateOnly(SingleOutputRule(expression), inputsJson, functions);

    /// <summary>Compiles a one-rule workflow over inputs typed from their JSON values and evaluates its rule.</summary>
    private static RuleResultTree EvaluateOnly(string workflowJson, string inputsJson, IRuleFunctions? functions)
    {
        using var inputs = JsonDocument.Parse(inputsJson);
        var types = new Dictionary<string, RuleType>();
        var values = new RuleInputs();
        foreach (var property in inputs.RootElement.EnumerateObject())
        {
            types[property.Name] = RuleType.InferInput(property.Value);
            values.SetJson(property.Name, property.Value, types[property.Name]);
        }
        var compilation = Compile(workflowJson, types, functions);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var results = compilation.Workflows.Evaluate("W", values);
        AssertTypedTierAgrees(workflowJson, types, functions, inputs.RootElement, results);
        return results[0];
    }

    /// <summary>
    /// Every expression a test evaluates is also run through the typed tier, compiled at once, with the inputs both
    /// as JSON read in place and converted into the value model: its answers must be the closures' answers.
    /// </summary>
    public static void AssertTypedTierAgrees(
        string workflowJson, IReadOnlyDictionary<string, RuleType> types, IRuleFunctions? functions, JsonElement inputs, IReadOnlyList<RuleResultTree> expected)
    {
        var read = WorkflowReader.Read("test.json", workflowJson);
        var typed = WorkflowCompiler.Compile(read.Workflows, types, functions, specialise: true, typedThreshold: 0).Workflows;
        var pairs = inputs.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value)).ToList();
        var converted = new RuleInputs();
        foreach (var (name, json) in pairs) converted.SetJson(name, json, types.TryGetValue(name, out var type) ? type : null);
        foreach (var (mode, values) in new[] { ("JSON read in place", RuleInputs.FromJson(pairs, types)), ("converted", converted) })
        {
            var actual = typed.Evaluate("W", values);
            Assert.Null(typed.Workflow("W").Typed?.CompileError);
            Assert.True(RuleResultJson.ToJson(expected) == RuleResultJson.ToJson(actual),
                $"Typed tier ({mode}) differs:\nclosures {RuleResultJson.ToJson(expected)}\ntyped    {RuleResultJson.ToJson(actual)}");
            Assert.Equal(expected.Select(r => r.ActionOutput?.GetType()), actual.Select(r => r.ActionOutput?.GetType()));
        }
    }

    /// <summary>The diagnostics of compiling one expression against the given input types.</summary>
    public static IReadOnlyList<Diagnostic> Diagnose(string expression, IReadOnlyDictionary<string, RuleType> inputTypes, IRuleFunctions? functions = null)
    {
        var read = WorkflowReader.Read("test.json", SingleRule(expression));
        if (read.HasErrors) return read.Diagnostics;
        return WorkflowCompiler.Compile(read.Workflows, inputTypes, functions).Diagnostics;
    }
}

/// <summary>A C# stand-in for the JavaScript functions provider, so fn. calls can be tested without Jint.</summary>
internal sealed class FakeFunctions : IRuleFunctions
{
    private readonly Dictionary<string, (RuleFunctionSignature Signature, Func<IReadOnlyList<object?>, object?> Body)> _functions = new();

    public FakeFunctions Add(string name, int parameters, string returnType, Func<IReadOnlyList<object?>, object?> body)
    {
        _functions[name] = (new RuleFunctionSignature(name, parameters, returnType), body);
        return this;
    }

    public IEnumerable<string> FunctionNames => _functions.Keys;

    public bool TryGetFunction(string name, out RuleFunctionSignature signature)
    {
        var found = _functions.TryGetValue(name, out var entry);
        signature = entry.Signature;
        return found;
    }

    public object? Invoke(string name, IReadOnlyList<object?> arguments) => _functions[name].Body(arguments);
}
