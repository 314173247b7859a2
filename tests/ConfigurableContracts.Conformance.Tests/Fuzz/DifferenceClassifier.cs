using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>A disagreement on one rule, as the classifiers see it: both answers, the rule and the data.</summary>
/// <param name="ChildExplanations">What explained the disagreements of this rule's nested rules, if any.</param>
public sealed record DisagreementContext(
    RuleDifference Difference,
    RuleResultTree? Ours,
    OracleRuleResult? Theirs,
    FuzzRule? Rule,
    FuzzRule TopRule,
    RuleResultTree? OurParent,
    OracleRuleResult? TheirParent,
    IReadOnlySet<DocumentedDifference> ChildExplanations,
    FuzzWorkflow Workflow,
    FuzzInput Input,
    IReadOnlyList<RuleResultTree> OurResults,
    IReadOnlyList<OracleRuleResult> TheirResults)
{
    /// <summary>RulesEngine's message for the rule or its action.</summary>
    public string TheirMessage => Theirs is null ? "" : Theirs.ExceptionMessage.Length > 0 ? Theirs.ExceptionMessage : Theirs.ActionException ?? "";

    /// <summary>RulesEngine failed to build the rule (not to run it): it types inputs from their values.</summary>
    public bool TheyCouldNotCompile => CouldNotCompile(TheirMessage);

    /// <summary>Dynamic LINQ's messages for an expression it cannot type, in a rule or in an action.</summary>
    public static bool CouldNotCompile(string message) =>
        message.StartsWith("Exception while parsing expression", StringComparison.Ordinal)
        || message.StartsWith("Error while compiling rule", StringComparison.Ordinal)
        || message.StartsWith("Exception while executing OutputExpressionAction:", StringComparison.Ordinal)
           && ParseFailures.Any(failure => message.Contains(failure, StringComparison.Ordinal));

    private static readonly string[] ParseFailures =
    [
        "No generic method", "No applicable method", "incompatible with operand type", "is not defined for the types",
        "Expression of type", "No property or field", "must be of type",
    ];

    public bool RuleReads(Func<FuzzInput, IEnumerable<string>> fields)
    {
        var read = Workflow.FieldsReadBy(TopRule);
        return fields(Input).Any(read.Contains);
    }
}

/// <summary>
/// Structural classifiers: each recognises one documented difference from the shape of the two answers and the
/// data, and only that shape. A disagreement none of them recognises (and no counterfactual run explains, see
/// <see cref="FuzzComparison"/>) is undocumented and fails the fuzz.
/// </summary>
public static partial class DifferenceClassifier
{
    public static IReadOnlySet<DocumentedDifference>? Classify(DisagreementContext c)
    {
        if (DerivedFromChildren(c) is { } derived) return derived;
        if (NotRunUnderFailedParent(c) is { } parent) return parent;
        if (NotRunUnderRefusedParent(c) is { } refused) return refused;
        var single = NullOperand(c) ?? NullFieldTypedAsObject(c) ?? EmptyArrayTypedAsObjects(c) ?? EmptyAggregate(c)
                     ?? UnreadFailingParameter(c) ?? ActionOnUndecided(c) ?? FailingAction(c) ?? EvaluateRuleTarget(c)
                     ?? UndecidedChild(c) ?? TypoOrMixedEquality(c);
        return single is null ? null : new HashSet<DocumentedDifference> { single };
    }

    /// <summary>#3: our rule is NotEvaluable because it reads a field that is null in this input.</summary>
    private static DocumentedDifference? NullOperand(DisagreementContext c)
    {
        if (c.Ours is not { Status: RuleStatus.NotEvaluable, Reason: { } reason } || c.Theirs is not { } theirs) return null;
        if (theirs.IsSuccess && !theirs.HasError || reason.Contains("has no elements", StringComparison.Ordinal)) return null;
        return c.RuleReads(input => input.NullFields()) ? DocumentedDifference.NullIsNotAnException : null;
    }

    /// <summary>
    /// #3: the rule reads a field that is null in this input. RulesEngine types the input from its values, so the
    /// field is <c>object</c> and the rule does not even compile there; here null compares normally with
    /// <c>==</c>/<c>in</c> and is missing elsewhere.
    /// </summary>
    private static DocumentedDifference? NullFieldTypedAsObject(DisagreementContext c) =>
        c.Ours is { Status: not RuleStatus.Error } && c.TheyCouldNotCompile && c.RuleReads(input => input.NullFields())
            ? DocumentedDifference.NullIsNotAnException
            : null;

    /// <summary>#7: the input's array is empty, which RulesEngine types as <c>List&lt;object&gt;</c>; a lambda over it does not compile.</summary>
    private static DocumentedDifference? EmptyArrayTypedAsObjects(DisagreementContext c) =>
        c.Ours is { Status: not RuleStatus.Error } && c.TheyCouldNotCompile && c.Input.Items.IsEmpty
        && c.RuleReads(_ => [$"{FuzzInput.Name}.{FuzzInput.ItemsField}"])
            ? DocumentedDifference.TypedArrays
            : null;

    /// <summary>
    /// #17: Min/Max over no elements: missing here (so NotEvaluable, or decided anyway by three-valued logic, as in
    /// <c>false &amp;&amp; missing</c>), "Sequence contains no elements" there.
    /// </summary>
    private static DocumentedDifference? EmptyAggregate(DisagreementContext c)
    {
        if (!c.TheirMessage.Contains("Sequence contains no elements", StringComparison.Ordinal) || c.Ours is null or { Status: RuleStatus.Error }) return null;
        if (c.Ours is { Status: RuleStatus.NotEvaluable, Reason: { } reason } && reason.Contains("has no elements", StringComparison.Ordinal))
            return DocumentedDifference.EmptyAggregates;
        return c.Workflow.Uses(c.TopRule, e => e.Op == FuzzOp.Linq && e.Text is "Min" or "Max") ? DocumentedDifference.EmptyAggregates : null;
    }

    /// <summary>
    /// #15: RulesEngine failed the rule because a global or local parameter failed (to compile or to run), though
    /// the rule never reads that parameter; here only rules that read a failing parameter fail.
    /// </summary>
    private static DocumentedDifference? UnreadFailingParameter(DisagreementContext c)
    {
        if (c.Rule is null || c.Ours is { Status: RuleStatus.Error }) return null;
        var message = c.TheirMessage;
        var named = ScopedParam().Match(message);
        if (!named.Success && !message.Contains("Error while executing scoped params", StringComparison.Ordinal)) return null;
        // A parameter that failed to run: we read a failed parameter only to fail with it, so a rule that is not Error
        // here never needed it (it is not read, or read where the answer was already decided).
        if (!named.Success) return DocumentedDifference.FailingParameters;
        return UnreadParameters(c.Workflow, c.TopRule).Contains(named.Groups[1].Value) ? DocumentedDifference.FailingParameters : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"in ScopedParam: (\w+)")]
    private static partial System.Text.RegularExpressions.Regex ScopedParam();

    /// <summary>Global and local parameters visible to a rule that neither it, its nested rules nor its actions read.</summary>
    private static HashSet<string> UnreadParameters(FuzzWorkflow workflow, FuzzRule rule)
    {
        var locals = rule.SelfAndDescendants().SelectMany(r => r.LocalParams).ToList();
        var definitions = locals.Concat(workflow.GlobalParams).ToDictionary(p => p.Name, p => p.Expression, StringComparer.Ordinal);
        var read = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(rule.SelfAndDescendants()
            .SelectMany(r => new[] { r.Expression, r.OnSuccess?.Output, r.OnFailure?.Output }.OfType<FuzzExpression>())
            .SelectMany(e => e.Parameters()));
        while (pending.TryPop(out var name))
            if (read.Add(name) && definitions.TryGetValue(name, out var definition))
                foreach (var used in definition.Parameters()) pending.Push(used);
        return definitions.Keys.Where(name => !read.Contains(name)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>#13: RulesEngine ran OnFailure for a rule that is undecided here (NotEvaluable or Error), so only it has an output.</summary>
    private static DocumentedDifference? ActionOnUndecided(DisagreementContext c) =>
        c.Difference.Kind == DifferenceKind.Output && c.Ours is { Status: RuleStatus.NotEvaluable or RuleStatus.Error, ActionOutput: null }
        && c.Theirs is { IsSuccess: false, Output: not null } && c.Rule?.OnFailure is not null
            ? DocumentedDifference.DecidedActions
            : null;

    /// <summary>
    /// #13: the action failed in RulesEngine, which keeps the rule's isSuccess and stores the action's exception;
    /// here the rule is Error, because its action failed too or the rule was refused at load.
    /// </summary>
    private static DocumentedDifference? FailingAction(DisagreementContext c) =>
        c.Difference.Kind == DifferenceKind.Success && c.Ours is { Status: RuleStatus.Error, Reason: { } reason }
        && (reason.StartsWith("Action failed:", StringComparison.Ordinal) || reason.Contains(": error CCR", StringComparison.Ordinal))
        && c.Theirs is { ActionException: not null }
            ? DocumentedDifference.DecidedActions
            : null;

    /// <summary>
    /// #14: an EvaluateRule action. Here the target's Error or NotEvaluable becomes the rule's; RulesEngine runs the
    /// target's OnFailure (none here) and gives null. RulesEngine 6.0.1 also hands the calling rule's inputs, global
    /// parameters included, to the target, which declares the global parameters again and fails to compile, so in a
    /// workflow with GlobalParams its output is null whatever the target computes.
    /// </summary>
    private static DocumentedDifference? EvaluateRuleTarget(DisagreementContext c)
    {
        if (c.Rule is null || c.Theirs is not { } theirs) return null;
        if (theirs.ActionException?.Contains("collides with an input RuleParameter", StringComparison.Ordinal) == true && !c.Workflow.GlobalParams.IsEmpty)
            return DocumentedDifference.EvaluateRule;
        if (theirs.HasError) return null;
        var action = theirs.IsSuccess ? c.Rule.OnSuccess : c.Rule.OnFailure;
        // The target itself disagrees (undecided here, answered there; judged on its own), and RulesEngine passes on
        // the target's output as it should: this rule only passes the target's disagreement on.
        if (action?.EvaluateRule is { } evaluated && theirs.Output is not null
            && c.Ours is { Status: RuleStatus.NotEvaluable or RuleStatus.Error, Reason: { } passed } && passed.Contains($"Evaluated rule '{FuzzWorkflow.Name}/{evaluated}'", StringComparison.Ordinal)
            && c.OurResults.FirstOrDefault(r => r.RuleName == evaluated) is { Status: RuleStatus.NotEvaluable or RuleStatus.Error }
            && c.TheirResults.FirstOrDefault(r => r.RuleName == evaluated) is { HasError: false } evaluatedThere && OracleValues.Equal(evaluatedThere.Output, theirs.Output))
            return DocumentedDifference.EvaluateRule;
        if (theirs.Output is not null) return null;
        if (action?.EvaluateRule is not { } target || c.Workflow.Rules.FirstOrDefault(r => r.Name == target) is not { OnFailure: null }) return null;
        if (c.Ours is { Status: RuleStatus.NotEvaluable or RuleStatus.Error, Reason: { } reason } && reason.Contains("Evaluated rule", StringComparison.Ordinal))
            return DocumentedDifference.EvaluateRule;
        if (c.Difference.Kind != DifferenceKind.Output) return null;
        if (!c.Workflow.GlobalParams.IsEmpty) return DocumentedDifference.EvaluateRule;
        // The target failed in RulesEngine (its own disagreement is judged on its own), so RulesEngine's output is null.
        return c.TheirResults.FirstOrDefault(r => r.RuleName == target) is { } theirTarget && (theirTarget.HasError || !theirTarget.IsSuccess)
               && c.OurResults.FirstOrDefault(r => r.RuleName == target) is { Status: RuleStatus.Achieved } ourTarget
               && OracleValues.Equal(ourTarget.ActionOutput, c.Ours?.ActionOutput)
            ? DocumentedDifference.EvaluateRule
            : null;
    }

    /// <summary>
    /// #2: a parent whose deciding child is undecided here (Error or NotEvaluable) is undecided too; RulesEngine
    /// reports the child's exception on the child and the parent as plain false.
    /// </summary>
    private static DocumentedDifference? UndecidedChild(DisagreementContext c)
    {
        if (c.Rule is not { Operator: not null } || c.Ours is not { Status: RuleStatus.Error or RuleStatus.NotEvaluable, ChildResults: { } children }
            || c.Theirs is not { IsSuccess: false, HasError: false } theirs) return null;
        var undecided = children.Where(r => r.Status is RuleStatus.Error or RuleStatus.NotEvaluable).ToList();
        if (undecided.Count == 0 || children.Any(r => r.Status == (IsAnd(c.Rule) ? RuleStatus.NotAchieved : RuleStatus.Achieved)))
            return null;
        // Every undecided child failed in RulesEngine too: the parent differs only in how the two engines combine.
        return undecided.All(child => theirs.Children.FirstOrDefault(t => t.RuleName == child.RuleName) is { } other && (other.HasError || !other.IsSuccess))
            ? DocumentedDifference.FourthOutcome
            : null;
    }

    /// <summary>
    /// A parent's disagreement that only passes on its children's: RulesEngine's parent is what its children
    /// combine to, ours is what ours combine to, and every differing child is explained.
    /// </summary>
    private static HashSet<DocumentedDifference>? DerivedFromChildren(DisagreementContext c)
    {
        // RulesEngine's own action may have failed too (it keeps isSuccess then); its rule did not.
        if (c.Rule is not { Operator: not null } rule || c.ChildExplanations.Count == 0 || c.Theirs is not { ExceptionMessage.Length: 0 } theirs
            || c.Difference.Kind is not (DifferenceKind.Success or DifferenceKind.Error)) return null;
        var children = theirs.Children;
        var combined = IsAnd(rule) ? children.All(t => t.IsSuccess) : children.Any(t => t.IsSuccess);
        if (children.Count == 0 || combined != theirs.IsSuccess) return null;
        var explanations = new HashSet<DocumentedDifference>(c.ChildExplanations);
        if (c.Ours is { Status: RuleStatus.Error or RuleStatus.NotEvaluable }) explanations.Add(DocumentedDifference.FourthOutcome);
        return explanations;
    }

    /// <summary>
    /// Nested rules we do not report because their parent was refused at load (an expression or action that does not
    /// bind), while RulesEngine, compiling lazily, ran them; the parent's disagreement is explained.
    /// </summary>
    private static IReadOnlySet<DocumentedDifference>? NotRunUnderRefusedParent(DisagreementContext c) =>
        c.Difference.Kind == DifferenceKind.Missing && c.Ours is null && c.OurParent is { Status: RuleStatus.Error, Reason: { } reason }
        && reason.Contains(": error CCR", StringComparison.Ordinal) && c.ChildExplanations.Count > 0
            ? c.ChildExplanations
            : null;

    /// <summary>Nested rules RulesEngine never ran because it could not build their parent, whose failure is explained.</summary>
    /// <remarks>
    /// When both engines failed the parent there is no explained parent disagreement to inherit; then RulesEngine's
    /// reason for failing the whole parent is one of ours: a local parameter failed (#15), or the parent does not
    /// compile over a null field (#3) or an empty array (#7).
    /// </remarks>
    private static IReadOnlySet<DocumentedDifference>? NotRunUnderFailedParent(DisagreementContext c)
    {
        if (c.Difference.Kind != DifferenceKind.Missing || c.Theirs is not null || c.TheirParent is not { HasError: true, Children.Count: 0 } parent)
            return null;
        if (c.ChildExplanations.Count > 0) return c.ChildExplanations;
        var message = parent.ExceptionMessage;
        DocumentedDifference? reason =
            message.Contains("scoped params", StringComparison.Ordinal) || message.Contains("in ScopedParam:", StringComparison.Ordinal) ? DocumentedDifference.FailingParameters
            : !DisagreementContext.CouldNotCompile(message) ? null
            : c.RuleReads(input => input.NullFields()) ? DocumentedDifference.NullIsNotAnException
            : c.Input.Items.IsEmpty && c.RuleReads(_ => [$"{FuzzInput.Name}.{FuzzInput.ItemsField}"]) ? DocumentedDifference.TypedArrays
            : null;
        return reason is null ? null : new HashSet<DocumentedDifference> { reason };
    }

    /// <summary>
    /// #1 and #10: the generated ill-typed expressions that RulesEngine answers rather than refuses: a field the
    /// input does not have (false), and equality between a number and a string (it converts: 18 == "18" is true).
    /// </summary>
    private static DocumentedDifference? TypoOrMixedEquality(DisagreementContext c)
    {
        if (c.Rule?.Expression is not { Op: FuzzOp.IllTyped } expression || c.Ours is not { Status: RuleStatus.Error, Reason: { } reason }
            || c.Theirs is not { HasError: false } theirs) return null;
        if (!theirs.IsSuccess && expression.Text.Contains("nosuch", StringComparison.Ordinal) && reason.Contains("has no field", StringComparison.Ordinal))
            return DocumentedDifference.Typos;
        if (expression.Text.Contains("== \"", StringComparison.Ordinal) && reason.Contains("cannot be applied", StringComparison.Ordinal))
            return DocumentedDifference.TypedEquality;
        return null;
    }

    private static bool IsAnd(FuzzRule rule) => rule.Operator is "And" or "AndAlso";
}
