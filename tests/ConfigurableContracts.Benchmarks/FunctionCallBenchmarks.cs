using System.Text.Json;
using Acornima.Ast;
using BenchmarkDotNet.Attributes;
using Jint;
using Jint.Native;
using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Benchmarks;

/// <summary>
/// What a rule pays for calling a template's JavaScript function: one rule that calls a two-argument function, one
/// whose function loops 1 000 times, and the same arithmetic written as a rule expression as the baseline. The
/// script is plain ECMAScript 5.1 so the same text runs on every Jint version the sandbox has been built on, and the
/// figures before and after an upgrade compare like with like (docs/javascript-functions.md, "Performance").
/// </summary>
/// <remarks>
/// The last two rows show why the sandbox lends pooled engines instead of building one per call: a bare Jint engine
/// per call, which would not be locked down, and a locked-down sandbox engine per call.
/// </remarks>
[MemoryDiagnoser]
public class FunctionCallBenchmarks
{
    private const string Script = """
        "use strict";
        /** @returns {number} */
        function add(a, b) { return a + b; }
        /** @returns {integer} */
        function loop(n) { var total = 0; for (var i = 0; i < n; i++) { total = total + i; } return total; }
        """;

    private CompiledWorkflowSet _expression = null!;
    private CompiledWorkflowSet _smallCall = null!;
    private CompiledWorkflowSet _loopCall = null!;
    private RuleInputs _inputs = null!;
    private Prepared<Script> _prepared;
    private IReadOnlyList<ScriptFunction> _scriptFunctions = null!;

    [GlobalSetup]
    public void Setup()
    {
        var functions = JavaScriptFunctions.Load("functions.js", Script, out var diagnostics)
            ?? throw new InvalidOperationException(string.Join("\n", diagnostics));
        _prepared = Engine.PrepareScript(Script, strict: true);
        _scriptFunctions = ScriptSyntax.Validate("functions.js", Script, JavaScriptFunctionOptions.Default, []);
        var types = new Dictionary<string, RuleType> { ["a"] = RuleType.Number, ["b"] = RuleType.Number, ["n"] = RuleType.Integer };
        _inputs = new RuleInputs().Set("a", 2.5m).Set("b", 4m).Set("n", 1_000L);
        _expression = Compile("a + b > 0", types, functions);
        _smallCall = Compile("fn.add(a, b) > 0", types, functions);
        _loopCall = Compile("fn.loop(n) > 0", types, functions);

        // A benchmark that measured a failing call would time the error path, not the call.
        foreach (var set in new[] { _expression, _smallCall, _loopCall })
        {
            var result = set.Evaluate("Calls", _inputs)[0];
            if (result.Status != RuleStatus.Achieved)
                throw new InvalidOperationException($"{result.Status}: {result.Reason}");
        }
    }

    [Benchmark(Baseline = true, Description = "Rule: a + b > 0 (no function)")]
    public bool Expression() => _expression.Evaluate("Calls", _inputs)[0].IsSuccess;

    [Benchmark(Description = "Rule: fn.add(a, b) > 0")]
    public bool SmallCall() => _smallCall.Evaluate("Calls", _inputs)[0].IsSuccess;

    [Benchmark(Description = "Rule: fn.loop(1000) > 0")]
    public bool LoopCall() => _loopCall.Evaluate("Calls", _inputs)[0].IsSuccess;

    [Benchmark(Description = "add(2.5, 4): bare Jint engine per call (not locked down)")]
    public JsValue BareEnginePerCall()
    {
        using var engine = new Engine(o => o.Strict());
        engine.Execute(_prepared);
        return engine.Call(engine.Global.Get("add"), JsValue.Undefined, [2.5, 4]);
    }

    [Benchmark(Description = "add(2.5, 4): sandbox engine per call")]
    public object? SandboxEnginePerCall()
    {
        using var engine = SandboxEngine.Create(_prepared, _scriptFunctions, JavaScriptFunctionOptions.Default);
        return engine.Invoke(_scriptFunctions[0], [2.5m, 4m]);
    }

    // One rule per workflow, so each benchmark evaluates exactly the expression it is named after.
    private static CompiledWorkflowSet Compile(string expression, Dictionary<string, RuleType> types, IRuleFunctions functions)
    {
        var json = JsonSerializer.Serialize(new { WorkflowName = "Calls", Rules = new[] { new { RuleName = "R", Expression = expression } } });
        var read = WorkflowReader.Read("calls.json", json);
        var compilation = WorkflowCompiler.Compile(read.Workflows, types, functions);
        if (read.HasErrors || compilation.HasErrors)
            throw new InvalidOperationException(string.Join("\n", read.Diagnostics.Concat(compilation.Diagnostics)));
        return compilation.Workflows;
    }
}
