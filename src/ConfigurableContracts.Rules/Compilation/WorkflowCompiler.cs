using System.Text.RegularExpressions;
using ConfigurableContracts.Rules.Binding;
using ConfigurableContracts.Rules.Evaluation;
using ConfigurableContracts.Rules.Functions;
using ConfigurableContracts.Rules.Syntax;
using ConfigurableContracts.Rules.Types;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Compilation;

/// <summary>A compiled set of workflows with the diagnostics found while binding them.</summary>
public sealed record WorkflowCompilation(CompiledWorkflowSet Workflows, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Which fields the expressions read and what the actions output, for checks beyond type errors.</summary>
    public CompilationFacts Facts { get; init; } = new();

    /// <summary>A template with any error must not be loaded; the CLI's eval still runs the rules that did bind.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Binds and compiles workflows against the types of their inputs. Every rule is compiled even when another one
/// fails: a rule that does not bind is kept as a rule that reports Error with its diagnostic, as RulesEngine does.
/// </summary>
public static partial class WorkflowCompiler
{
    /// <summary>
    /// Compiles <paramref name="workflows"/>. <paramref name="inputTypes"/> names every input rules may use (e.g.
    /// contract, participant, followUp6, asOf) with its type; use <see cref="RuleType.Any"/> for untyped inputs.
    /// </summary>
    public static WorkflowCompilation Compile(
        IReadOnlyList<WorkflowDefinition> workflows, IReadOnlyDictionary<string, RuleType> inputTypes, IRuleFunctions? functions = null) =>
        Compile(workflows, inputTypes, functions, specialise: true);

    /// <summary>As above; <paramref name="specialise"/> false compiles only the general closures, for tests that compare the two.</summary>
    /// <param name="typedThreshold">Evaluations before a workflow's typed tier is compiled; 0 at once, negative never.
    /// Without <paramref name="specialise"/> there is no typed tier either: the general closures are the reference.</param>
    internal static WorkflowCompilation Compile(
        IReadOnlyList<WorkflowDefinition> workflows, IReadOnlyDictionary<string, RuleType> inputTypes, IRuleFunctions? functions, bool specialise,
        int typedThreshold = TypedTier.DefaultThreshold)
    {
        if (!specialise) typedThreshold = -1;
        var diagnostics = new List<Diagnostic>();
        var byName = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        foreach (var workflow in workflows) byName.TryAdd(workflow.Name, workflow);

        // Inputs that EvaluateRule actions hand to a workflow on top of the usual ones (additionalInputs).
        var extraInputs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var workflow in workflows)
            foreach (var action in RuleDefinition.AllOf(workflow.Rules).SelectMany(r => new[] { r.OnSuccess, r.OnFailure }))
                if (action is { Kind: RuleActionKind.EvaluateRule, WorkflowName: { } target })
                    foreach (var input in action.AdditionalInputs)
                    {
                        if (!extraInputs.TryGetValue(target, out var names)) extraInputs[target] = names = new HashSet<string>(StringComparer.Ordinal);
                        names.Add(input.Name);
                    }

        var compiled = new Dictionary<string, CompiledWorkflow>(StringComparer.Ordinal);
        var compiler = new Compiler(functions, specialise);
        var facts = new CompilationFacts();
        foreach (var workflow in workflows)
        {
            if (compiled.ContainsKey(workflow.Name)) continue;
            var context = new WorkflowContext(workflow, byName, inputTypes, extraInputs.GetValueOrDefault(workflow.Name), functions, compiler, diagnostics, facts);
            var closures = context.Compile();
            compiled[workflow.Name] = closures with { Typed = TypedTier.For(closures, typedThreshold) };
        }
        return new WorkflowCompilation(new CompiledWorkflowSet(compiled, WorkflowSetHash.Compute(workflows)), diagnostics) { Facts = facts };
    }

    [GeneratedRegex(@"\$\(([^)]*)\)")]
    private static partial Regex Placeholder();

    /// <summary>Compilation state of one workflow: its slots, its scope and where to report.</summary>
    private sealed class WorkflowContext(
        WorkflowDefinition workflow,
        Dictionary<string, WorkflowDefinition> workflows,
        IReadOnlyDictionary<string, RuleType> inputTypes,
        HashSet<string>? extraInputs,
        IRuleFunctions? functions,
        Compiler compiler,
        List<Diagnostic> diagnostics,
        CompilationFacts facts)
    {
        private readonly SlotAllocator _slots = new();

        public CompiledWorkflow Compile()
        {
            var scope = new BindingScope();
            var inputs = new List<Symbol>();
            foreach (var (name, type) in inputTypes)
                inputs.Add(Declare(scope, new Symbol(name, SymbolKind.Input, _slots.Next(), type)));
            foreach (var name in extraInputs ?? [])
                if (!inputTypes.ContainsKey(name)) inputs.Add(Declare(scope, new Symbol(name, SymbolKind.Input, _slots.Next(), RuleType.Any)));

            var (globals, rules) = Flatten(workflow, []);
            var globalScope = new BindingScope(scope);
            var compiledGlobals = globals.Select(g => CompileParam(g, globalScope, SymbolKind.GlobalParam, null, out _)).ToList();

            var compiledRules = new List<CompiledRule>();
            foreach (var rule in rules.Where(r => r.Enabled))
            {
                var compiledRule = CompileRule(rule, globalScope);
                // The first rule of a name runs; the later one reports the clash as its Error, so results stay
                // addressable by name and eval still runs the rest. A clash within one file was reported by the reader.
                if (compiledRules.Any(r => r.Name == rule.Name) && !rule.ReadErrors.Any(d => d.Code == DiagnosticCodes.DuplicateRule))
                {
                    var duplicate = new Diagnostic(DiagnosticCodes.DuplicateRule, DiagnosticSeverity.Error,
                        $"Rule name '{rule.Name}' occurs twice in workflow '{workflow.Name}' (an injected workflow has a rule of the same name).", rule.Location, rule.Name);
                    diagnostics.Add(duplicate);
                    compiledRule = compiledRule with { BindError = duplicate.ToString() };
                }
                compiledRules.Add(compiledRule);
            }
            return new CompiledWorkflow(workflow.Name, [.. inputs], [.. compiledGlobals], [.. compiledRules], _slots.Count);
        }

        private static Symbol Declare(BindingScope scope, Symbol symbol)
        {
            scope.Declare(symbol);
            return symbol;
        }

        /// <summary>Global parameters and rules of the workflow with those of its injected workflows first.</summary>
        private (List<ScopedParamDefinition> Globals, List<RuleDefinition> Rules) Flatten(WorkflowDefinition definition, HashSet<string> visiting)
        {
            var globals = new List<ScopedParamDefinition>();
            var rules = new List<RuleDefinition>();
            visiting.Add(definition.Name);
            foreach (var injected in definition.WorkflowsToInject)
            {
                if (visiting.Contains(injected))
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.InjectionCycle, DiagnosticSeverity.Error,
                        $"Workflow '{definition.Name}' injects '{injected}', which injects it back.", definition.Location));
                    continue;
                }
                if (!workflows.TryGetValue(injected, out var other))
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.UnknownInjectedWorkflow, DiagnosticSeverity.Error,
                        $"Workflow '{definition.Name}' injects unknown workflow '{injected}'.{NameSuggestions.Hint(injected, workflows.Keys)}", definition.Location));
                    continue;
                }
                var (g, r) = Flatten(other, visiting);
                globals.AddRange(g);
                rules.AddRange(r);
            }
            visiting.Remove(definition.Name);
            globals.AddRange(definition.GlobalParams);
            rules.AddRange(definition.Rules);
            return (globals, rules);
        }

        private CompiledParam CompileParam(ScopedParamDefinition param, BindingScope scope, SymbolKind kind, string? ruleName, out string? error)
        {
            var before = diagnostics.Count;
            if (scope.TryLookup(param.Name, out var existing) && existing.Kind == SymbolKind.Input)
                diagnostics.Add(new Diagnostic(DiagnosticCodes.ParamShadowsInput, DiagnosticSeverity.Warning,
                    $"Parameter '{param.Name}' hides the input of the same name.", param.Location, ruleName));
            var bound = Binder.Bind(param.Expression, scope, _slots, functions, ruleName, diagnostics, facts);
            error = FirstError(before);
            var symbol = new Symbol(param.Name, kind, _slots.Next(), bound?.Type ?? RuleType.Any, bound is not null && Binder.IsDotNetInt(bound));
            scope.Declare(symbol);
            return new CompiledParam(param.Name, symbol.Slot, bound is null ? null : compiler.Compile(bound), error) { Bound = bound };
        }

        private string? FirstError(int from)
        {
            for (var i = from; i < diagnostics.Count; i++)
                if (diagnostics[i].IsError) return diagnostics[i].ToString();
            return null;
        }

        private CompiledRule CompileRule(RuleDefinition rule, BindingScope parentScope)
        {
            var before = diagnostics.Count;
            var scope = new BindingScope(parentScope);
            var locals = new List<CompiledParam>();
            foreach (var local in rule.LocalParams) locals.Add(CompileParam(local, scope, SymbolKind.LocalParam, rule.Name, out _));

            Func<EvaluationFrame, object?>? condition = null;
            BoundExpression? conditionBound = null;
            var children = new List<CompiledRule>();
            if (rule.Operator is not null)
            {
                foreach (var child in rule.Rules.Where(r => r.Enabled)) children.Add(CompileRule(child, scope));
            }
            else if (rule.Expression is { } expression)
            {
                var bound = Binder.Bind(expression, scope, _slots, functions, rule.Name, diagnostics, facts);
                if (bound is not null && bound.Type.Kind is not (RuleTypeKind.Boolean or RuleTypeKind.Any))
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.NotBoolean, DiagnosticSeverity.Error,
                        $"A rule's expression must be true or false, but this one is {bound.Type.DisplayName}.", expression.Location, rule.Name));
                    bound = null;
                }
                if (bound is not null) (condition, conditionBound) = (compiler.Compile(bound), bound);
            }

            var onSuccess = CompileAction(rule.OnSuccess, scope, rule.Name, onSuccessOf: rule.OnSuccess);
            var onFailure = CompileAction(rule.OnFailure, scope, rule.Name);
            var errorMessage = CompileErrorMessage(rule, scope);

            // Errors of nested rules are reported on the nested rules themselves, not on their parent.
            var ownError = FirstErrorExcludingChildren(before, rule);
            return new CompiledRule
            {
                Name = rule.Name,
                Condition = condition,
                ConditionBound = conditionBound,
                Operator = rule.Operator,
                Children = [.. children],
                LocalParams = [.. locals],
                OnSuccess = onSuccess,
                OnFailure = onFailure,
                ErrorMessage = errorMessage,
                SuccessEvent = rule.SuccessEvent,
                Properties = rule.Properties,
                BindError = (rule.ReadErrors.Count > 0 ? rule.ReadErrors[0].ToString() : null) ?? ownError ?? (rule.Operator is null && condition is null ? $"{rule.Location}: rule '{rule.Name}' has no expression." : null),
            };
        }

        private string? FirstErrorExcludingChildren(int from, RuleDefinition rule)
        {
            for (var i = from; i < diagnostics.Count; i++)
                if (diagnostics[i].IsError && diagnostics[i].RuleName == rule.Name) return diagnostics[i].ToString();
            return null;
        }

        private CompiledAction? CompileAction(RuleActionDefinition? action, BindingScope scope, string ruleName, RuleActionDefinition? onSuccessOf = null)
        {
            if (action is null) return null;
            if (action.Kind == RuleActionKind.OutputExpression)
            {
                var bound = Binder.Bind(action.Expression!, scope, _slots, functions, ruleName, diagnostics, facts);
                if (bound is not null && ReferenceEquals(action, onSuccessOf)) facts.RecordSuccessOutput(workflow.Name, ruleName, bound.Type);
                return new CompiledAction(action.Kind, bound is null ? null : compiler.Compile(bound), null, null, null, []) { OutputBound = bound };
            }
            if (!workflows.TryGetValue(action.WorkflowName!, out var target))
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.UnknownEvaluateRuleTarget, DiagnosticSeverity.Error,
                    $"EvaluateRule names unknown workflow '{action.WorkflowName}'.{NameSuggestions.Hint(action.WorkflowName!, workflows.Keys)}", action.Location, ruleName));
            }
            else if (!target.Rules.Any(r => r.Name == action.RuleName))
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.UnknownEvaluateRuleTarget, DiagnosticSeverity.Error,
                    $"EvaluateRule names unknown rule '{action.RuleName}' of workflow '{action.WorkflowName}'.{NameSuggestions.Hint(action.RuleName!, target.Rules.Select(r => r.Name))}",
                    action.Location, ruleName));
            }
            var additional = new List<CompiledParam>();
            var actionScope = new BindingScope(scope);
            foreach (var input in action.AdditionalInputs)
                additional.Add(CompileParam(input, actionScope, SymbolKind.LocalParam, ruleName, out _));
            return new CompiledAction(action.Kind, null, action.WorkflowName, action.RuleName, action.InputFilter, additional);
        }

        /// <summary>
        /// <c>$(participant.id)</c> placeholders read a value by path from an input or parameter when the message is
        /// shown; an unknown root is a warning and the placeholder is left as written.
        /// </summary>
        private Func<EvaluationFrame, string>? CompileErrorMessage(RuleDefinition rule, BindingScope scope)
        {
            if (rule.ErrorMessage is not { } message) return null;
            var matches = Placeholder().Matches(message);
            if (matches.Count == 0) return _ => message;
            var parts = new List<Func<EvaluationFrame, string>>();
            var last = 0;
            foreach (Match match in matches)
            {
                var literal = message[last..match.Index];
                parts.Add(_ => literal);
                var placeholder = match.Value;
                var path = match.Groups[1].Value.Split('.');
                if (scope.TryLookup(path[0], out var symbol))
                {
                    var slot = symbol.Slot;
                    parts.Add(frame => Resolve(frame.Slots[slot], path) is var (found, value) && found && value is not null ? PlaceholderText(value, indented: path.Length > 1) : placeholder);
                }
                else
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.UnknownPlaceholder, DiagnosticSeverity.Warning,
                        $"ErrorMessage placeholder '{placeholder}' does not start with an input or parameter name.{NameSuggestions.Hint(path[0], scope.VisibleNames)}",
                        rule.Location, rule.Name));
                    parts.Add(_ => placeholder);
                }
                last = match.Index + match.Length;
            }
            var tail = message[last..];
            parts.Add(_ => tail);
            return frame => string.Concat(parts.Select(p => p(frame)));
        }

        /// <summary>
        /// A placeholder's value as RulesEngine 6 writes it, so messages read the same on both engines: a string as it
        /// is, a boolean as <c>true</c>, an object or array as JSON (indented for a field, on one line for a whole
        /// input). A null value leaves the placeholder as written, as there.
        /// </summary>
        private static string PlaceholderText(object value, bool indented)
        {
            if (value is bool flag) return flag ? "true" : "false";
            if (value is not (IReadOnlyDictionary<string, object?> or IReadOnlyList<object?>)) return RuntimeValues.Format(value);
            using var buffer = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = indented }))
                RuleResultJson.WriteValue(writer, value);
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static (bool Found, object? Value) Resolve(object? value, string[] path)
        {
            for (var i = 1; i < path.Length; i++)
            {
                if (value is not IReadOnlyDictionary<string, object?> map || !map.TryGetValue(path[i], out value)) return (false, null);
            }
            return value is MissingValue or FailedValue ? (false, null) : (true, value);
        }
    }
}
