using ConfigurableContracts.Rules.Compilation;
using ConfigurableContracts.Rules.Workflows;

namespace ConfigurableContracts.Rules.Evaluation;

/// <summary>
/// Runs compiled rules and builds their result trees. Nested rules use three-valued logic extended with Error:
/// <list type="bullet">
/// <item>And: any NotAchieved → NotAchieved; else any Error → Error; else any NotEvaluable → NotEvaluable; else Achieved.</item>
/// <item>Or: any Achieved → Achieved; else any Error → Error; else any NotEvaluable → NotEvaluable; else NotAchieved.</item>
/// </list>
/// A decided answer wins over an undecided one (a failed child makes an And fail whatever the others say), and an
/// Error is louder than NotEvaluable because it needs someone to fix the rule, not to wait for data.
/// </summary>
internal static class Evaluator
{
    /// <summary>EvaluateRule actions may chain; a cycle between rules must end as an Error, not a stack overflow.</summary>
    private const int MaxEvaluateRuleDepth = 8;

    public static IReadOnlyList<RuleResultTree> EvaluateWorkflow(CompiledWorkflowSet set, CompiledWorkflow workflow, RuleInputs inputs, int depth)
    {
        if (workflow.Typed is { } tier && tier.Warm())
        {
            // The typed tier answers what it can; the closures answer the rest, from a frame made only if needed.
            var answers = new RuleResultTree?[workflow.Rules.Length];
            if (tier.TryEvaluate(inputs, answers))
            {
                EvaluationFrame? prepared = null;
                for (var i = 0; i < answers.Length; i++)
                    answers[i] ??= EvaluateRule(set, workflow.Rules[i], prepared ??= Prepare(workflow, inputs), inputs, depth);
                return answers!;
            }
        }

        var frame = Prepare(workflow, inputs);
        var results = new RuleResultTree[workflow.Rules.Length];
        for (var i = 0; i < results.Length; i++) results[i] = EvaluateRule(set, workflow.Rules[i], frame, inputs, depth);
        return results;
    }

    private static EvaluationFrame Prepare(CompiledWorkflow workflow, RuleInputs inputs)
    {
        var frame = new EvaluationFrame(workflow.SlotCount);
        var positions = workflow.InputPositions;
        for (var i = 0; i < workflow.Inputs.Length; i++)
        {
            var input = workflow.Inputs[i];
            var position = positions[i];
            if (!inputs.TryGetValueAt(input.Name, ref position, out var value)) continue;
            frame.Slots[input.Slot] = value;
            // Written only when it moved: a write on every call would bounce the cache line between threads.
            if (position != positions[i]) positions[i] = position;
        }
        foreach (var global in workflow.GlobalParams) Assign(frame, global);
        return frame;
    }

    private static void Assign(EvaluationFrame frame, CompiledParam param)
    {
        if (param.Evaluate is null)
        {
            frame.Slots[param.Slot] = new FailedValue(new RuleEvaluationException(param.BindError ?? $"Parameter '{param.Name}' did not compile."));
            return;
        }
        try
        {
            frame.Slots[param.Slot] = param.Evaluate(frame);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stored, not thrown: only the rules that read this parameter fail.
            frame.Slots[param.Slot] = new FailedValue(e);
        }
    }

    private static RuleResultTree EvaluateRule(CompiledWorkflowSet set, CompiledRule rule, EvaluationFrame frame, RuleInputs inputs, int depth)
    {
        if (rule.BindError is not null) return Failed(rule, rule.BindError);

        IReadOnlyList<RuleResultTree>? children = null;
        RuleStatus status;
        string? reason = null;
        try
        {
            foreach (var local in rule.LocalParams) Assign(frame, local);
            if (rule.Operator is { } op)
            {
                var childResults = new RuleResultTree[rule.Children.Length];
                for (var i = 0; i < childResults.Length; i++) childResults[i] = EvaluateRule(set, rule.Children[i], frame, inputs, depth);
                children = childResults;
                (status, reason) = Combine(op, childResults);
            }
            else
            {
                switch (rule.Condition!(frame))
                {
                    case bool b:
                        status = b ? RuleStatus.Achieved : RuleStatus.NotAchieved;
                        break;
                    case MissingValue missing:
                        status = RuleStatus.NotEvaluable;
                        reason = missing.Reason;
                        break;
                    case null:
                        status = RuleStatus.NotEvaluable;
                        reason = "The expression's value is missing (null).";
                        break;
                    case var other:
                        return Failed(rule, $"The expression should be true or false but is {RuntimeValues.Describe(other)}.");
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(rule, e.Message) with { ChildResults = children };
        }

        object? output = null;
        var action = status switch
        {
            RuleStatus.Achieved => rule.OnSuccess,
            RuleStatus.NotAchieved => rule.OnFailure,
            _ => null,
        };
        if (action is not null)
        {
            try
            {
                output = RunAction(set, action, frame, inputs, depth);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Failed(rule, $"Action failed: {e.Message}") with { ChildResults = children };
            }
            if (output is MissingValue missing)
            {
                // An amount that cannot be computed must not be reported as a success without an amount.
                status = RuleStatus.NotEvaluable;
                reason = missing.Reason;
                output = null;
            }
        }

        if (output is null && reason is null && children is null)
        {
            // The usual answer carries nothing of the participant: the same immutable tree serves every evaluation.
            if (status == RuleStatus.Achieved) return rule.Achieved;
            if (status == RuleStatus.NotAchieved && rule.ErrorMessage is null) return rule.NotAchieved;
        }
        return new RuleResultTree
        {
            RuleName = rule.Name,
            Status = status,
            Reason = reason,
            ExceptionMessage = status == RuleStatus.NotAchieved && rule.ErrorMessage is not null ? SafeMessage(rule, frame) : "",
            ActionOutput = output,
            ChildResults = children,
            SuccessEvent = rule.SuccessEvent,
            Properties = rule.Properties,
        };
    }

    private static string SafeMessage(CompiledRule rule, EvaluationFrame frame)
    {
        try
        {
            return rule.ErrorMessage!(frame);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"(ErrorMessage could not be formatted: {e.Message})";
        }
    }

    private static RuleResultTree Failed(CompiledRule rule, string message) => new()
    {
        RuleName = rule.Name,
        Status = RuleStatus.Error,
        Reason = message,
        ExceptionMessage = message,
        SuccessEvent = rule.SuccessEvent,
        Properties = rule.Properties,
    };

    internal static (RuleStatus Status, string? Reason) Combine(RuleOperator op, IReadOnlyList<RuleResultTree> children)
    {
        // Every nested rule disabled: nothing was shown, so nothing is achieved, whatever the operator (as in
        // RulesEngine). An And over nothing must not pay out.
        if (children.Count == 0) return (RuleStatus.NotAchieved, null);
        var decisive = op == RuleOperator.And ? RuleStatus.NotAchieved : RuleStatus.Achieved;
        var otherwise = op == RuleOperator.And ? RuleStatus.Achieved : RuleStatus.NotAchieved;
        // One pass: the first decisive child wins at once; otherwise the first Error, else the first NotEvaluable.
        RuleResultTree? error = null, notEvaluable = null;
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (child.Status == decisive) return (decisive, null);
            if (child.Status == RuleStatus.Error) error ??= child;
            else if (child.Status == RuleStatus.NotEvaluable) notEvaluable ??= child;
        }
        if ((error ?? notEvaluable) is { } undecided)
            return (undecided.Status, $"Nested rule '{undecided.RuleName}': {undecided.Reason}");
        return (otherwise, null);
    }

    private static object? RunAction(CompiledWorkflowSet set, CompiledAction action, EvaluationFrame frame, RuleInputs inputs, int depth)
    {
        if (action.Kind == RuleActionKind.OutputExpression)
        {
            if (action.Output is null) throw new RuleEvaluationException("The output expression did not compile.");
            return action.Output(frame);
        }
        if (depth >= MaxEvaluateRuleDepth)
            throw new RuleEvaluationException($"EvaluateRule actions nest more than {MaxEvaluateRuleDepth} deep; do two rules evaluate each other?");

        var targetInputs = new RuleInputs();
        foreach (var name in inputs.Names)
            if (action.InputFilter is null || action.InputFilter.Contains(name))
                targetInputs.Set(name, inputs.TryGetValue(name, out var value) ? value : null);
        foreach (var additional in action.AdditionalInputs)
        {
            if (additional.Evaluate is null) throw new RuleEvaluationException(additional.BindError ?? "An additional input did not compile.");
            var value = additional.Evaluate(frame);
            targetInputs.Set(additional.Name, value is MissingValue ? null : value);
        }
        var workflow = set.Workflow(action.WorkflowName!);
        // The one rule runs on the closures: the workflow's typed code was compiled for all its rules.
        var results = EvaluateWorkflow(set, workflow with { Rules = [.. workflow.Rules.Where(r => r.Name == action.RuleName)], Typed = null }, targetInputs, depth + 1);
        var target = results.Count > 0 ? results[0] : throw new RuleEvaluationException($"Rule '{action.RuleName}' is not enabled in '{action.WorkflowName}'.");
        return target.Status switch
        {
            RuleStatus.Error => throw new RuleEvaluationException($"Evaluated rule '{action.WorkflowName}/{action.RuleName}' failed: {target.Reason}"),
            RuleStatus.NotEvaluable => new MissingValue($"Evaluated rule '{action.WorkflowName}/{action.RuleName}' is not evaluable: {target.Reason}"),
            _ => target.ActionOutput,
        };
    }
}
