using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

// The string keys below are field names of RulesEngine's workflow format; that some equal our property names is a
// coincidence nameof would hide.
#pragma warning disable CA1507

/// <summary>A named parameter (GlobalParams, LocalParams) with its expression.</summary>
public sealed record FuzzParameter(string Name, FuzzExpression Expression);

/// <summary>An OnSuccess/OnFailure action: an OutputExpression, or EvaluateRule of a rule of the same workflow.</summary>
public sealed record FuzzAction(FuzzExpression? Output, string? EvaluateRule)
{
    public JsonObject ToJson(string workflowName, FuzzVariant variant, IReadOnlySet<string>? nullFields = null) => Output is { } output
        ? new JsonObject { ["Name"] = "OutputExpression", ["Context"] = new JsonObject { ["Expression"] = FuzzRenderer.Render(output, variant, nullFields) } }
        : new JsonObject { ["Name"] = "EvaluateRule", ["Context"] = new JsonObject { ["workflowName"] = workflowName, ["ruleName"] = EvaluateRule } };
}

/// <summary>A generated rule: an expression, or nested rules under an operator.</summary>
public sealed record FuzzRule(
    string Name,
    FuzzExpression? Expression,
    string? Operator,
    ImmutableArray<FuzzRule> Children,
    ImmutableArray<FuzzParameter> LocalParams,
    FuzzAction? OnSuccess,
    FuzzAction? OnFailure,
    bool Enabled = true)
{
    public IEnumerable<FuzzExpression> Expressions() =>
        LocalParams.Select(l => l.Expression)
            .Concat(Expression is null ? [] : [Expression])
            .Concat(new[] { OnSuccess?.Output, OnFailure?.Output }.OfType<FuzzExpression>())
            .Concat(Children.SelectMany(c => c.Expressions()));

    public IEnumerable<FuzzRule> SelfAndDescendants() => new[] { this }.Concat(Children.SelectMany(c => c.SelfAndDescendants()));

    public JsonObject ToJson(string workflowName, FuzzVariant variant, IReadOnlySet<string>? nullFields = null)
    {
        var json = new JsonObject { ["RuleName"] = Name };
        if (!Enabled) json["Enabled"] = false;
        if (LocalParams.Length > 0)
            json["LocalParams"] = new JsonArray([.. LocalParams.Select(l => (JsonNode)new JsonObject { ["Name"] = l.Name, ["Expression"] = FuzzRenderer.Render(l.Expression, variant, nullFields) })]);
        if (Operator is not null)
        {
            json["Operator"] = Operator;
            json["Rules"] = new JsonArray([.. Children.Select(c => (JsonNode)c.ToJson(workflowName, variant, nullFields))]);
        }
        else
        {
            json["Expression"] = FuzzRenderer.Render(Expression!, variant, nullFields);
        }
        if (OnSuccess is not null || OnFailure is not null)
        {
            var actions = new JsonObject();
            if (OnSuccess is not null) actions["OnSuccess"] = OnSuccess.ToJson(workflowName, variant, nullFields);
            if (OnFailure is not null) actions["OnFailure"] = OnFailure.ToJson(workflowName, variant, nullFields);
            json["Actions"] = actions;
        }
        return json;
    }

    public IEnumerable<FuzzRule> Shrink()
    {
        if (Expression is not null)
            foreach (var smaller in Expression.Shrink()) yield return this with { Expression = smaller };
        if (OnSuccess is not null) yield return this with { OnSuccess = null };
        if (OnFailure is not null) yield return this with { OnFailure = null };
        if (OnSuccess?.Output is { } success)
            foreach (var smaller in success.Shrink()) yield return this with { OnSuccess = OnSuccess with { Output = smaller } };
        if (OnFailure?.Output is { } failure)
            foreach (var smaller in failure.Shrink()) yield return this with { OnFailure = OnFailure with { Output = smaller } };
        for (var i = 0; i < Children.Length; i++)
        {
            if (Children.Length > 1) yield return this with { Children = Children.RemoveAt(i) };
            foreach (var smaller in Children[i].Shrink()) yield return this with { Children = Children.SetItem(i, smaller) };
        }
        for (var i = LocalParams.Length - 1; i >= 0; i--)
        {
            yield return this with { LocalParams = LocalParams.RemoveAt(i) };
            foreach (var smaller in LocalParams[i].Expression.Shrink())
                yield return this with { LocalParams = LocalParams.SetItem(i, LocalParams[i] with { Expression = smaller }) };
        }
    }
}

/// <summary>A generated workflow: global parameters and rules, rendered as a RulesEngine workflow file.</summary>
public sealed record FuzzWorkflow(ImmutableArray<FuzzParameter> GlobalParams, ImmutableArray<FuzzRule> Rules)
{
    public const string Name = "Fuzz";

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson(FuzzVariant variant = FuzzVariant.None, IReadOnlySet<string>? onlyRules = null, IReadOnlySet<string>? nullFields = null)
    {
        // Which parameters are C# ints is read from the workflow as it is now (shrinking changes their expressions),
        // and holds only while this workflow renders.
        FuzzRenderer.IntParameters = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var parameter in GlobalParams.Concat(Rules.SelectMany(r => r.SelfAndDescendants()).SelectMany(r => r.LocalParams)))
                if (parameter.Expression.Type == FuzzType.WholeNumber && FuzzRenderer.IsDotNetInt(parameter.Expression))
                    FuzzRenderer.IntParameters.Add(parameter.Name);
            var json = new JsonObject { ["WorkflowName"] = Name };
            if (GlobalParams.Length > 0)
                json["GlobalParams"] = new JsonArray([.. GlobalParams.Select(g => (JsonNode)new JsonObject { ["Name"] = g.Name, ["Expression"] = FuzzRenderer.Render(g.Expression, variant, nullFields) })]);
            json["Rules"] = new JsonArray([.. Rules.Where(r => onlyRules is null || onlyRules.Contains(r.Name)).Select(r => (JsonNode)r.ToJson(Name, variant, nullFields))]);
            return json.ToJsonString(Indented);
        }
        finally
        {
            FuzzRenderer.IntParameters = null;
        }
    }

    /// <summary>Input fields a rule reads, directly or through the parameters it uses.</summary>
    public IReadOnlySet<string> FieldsReadBy(FuzzRule rule)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        var parameters = rule.SelfAndDescendants().SelectMany(r => r.LocalParams).Concat(GlobalParams).ToDictionary(p => p.Name, p => p.Expression, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FuzzExpression>(rule.Expressions());
        while (pending.TryPop(out var expression))
        {
            fields.UnionWith(expression.InputFields());
            foreach (var name in expression.Parameters())
                if (seen.Add(name) && parameters.TryGetValue(name, out var parameter)) pending.Push(parameter);
        }
        return fields;
    }

    /// <summary>Whether a rule, or a parameter it can see, has a node matching <paramref name="predicate"/>.</summary>
    public bool Uses(FuzzRule rule, Func<FuzzExpression, bool> predicate) =>
        rule.Expressions().Concat(GlobalParams.Select(g => g.Expression)).Any(e => e.Contains(predicate));

    /// <summary>The rules a rule needs beside itself: the targets of its EvaluateRule actions, transitively.</summary>
    public IReadOnlySet<string> WithTargets(IEnumerable<string> ruleNames)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(ruleNames);
        while (pending.TryPop(out var name))
        {
            if (!needed.Add(name)) continue;
            foreach (var rule in Rules.Where(r => r.Name == name).SelectMany(r => r.SelfAndDescendants()))
                foreach (var target in new[] { rule.OnSuccess?.EvaluateRule, rule.OnFailure?.EvaluateRule }.OfType<string>())
                    pending.Push(target);
        }
        return needed;
    }

    public IEnumerable<FuzzWorkflow> Shrink()
    {
        // Halves first: a failing rule among forty is isolated in a few steps.
        if (Rules.Length > 1)
        {
            var half = Rules.Length / 2;
            yield return this with { Rules = Rules[..half] };
            yield return this with { Rules = Rules[half..] };
        }
        for (var i = 0; i < Rules.Length && Rules.Length > 1; i++) yield return this with { Rules = Rules.RemoveAt(i) };
        for (var i = GlobalParams.Length - 1; i >= 0; i--) yield return this with { GlobalParams = GlobalParams.RemoveAt(i) };
        for (var i = 0; i < Rules.Length; i++)
            foreach (var smaller in Rules[i].Shrink())
                yield return this with { Rules = Rules.SetItem(i, smaller) };
        for (var i = 0; i < GlobalParams.Length; i++)
            foreach (var smaller in GlobalParams[i].Expression.Shrink())
                yield return this with { GlobalParams = GlobalParams.SetItem(i, GlobalParams[i] with { Expression = smaller }) };
    }
}

/// <summary>One fuzz case: a workflow and the inputs it runs over (each rule × input is one compared case).</summary>
public sealed record FuzzCase(FuzzWorkflow Workflow, ImmutableArray<FuzzInput> Inputs)
{
    public override string ToString() =>
        $"workflow:\n{Workflow.ToJson()}\ninputs:\n{string.Join("\n", Inputs.Select(i => $"{{ \"{FuzzInput.Name}\": {i.ToJson()} }}"))}";

    public IEnumerable<FuzzCase> Shrink()
    {
        for (var i = 0; i < Inputs.Length && Inputs.Length > 1; i++) yield return this with { Inputs = Inputs.RemoveAt(i) };
        foreach (var smaller in Workflow.Shrink()) yield return this with { Workflow = smaller };
        for (var i = 0; i < Inputs.Length; i++)
            foreach (var smaller in Inputs[i].Shrink())
                yield return this with { Inputs = Inputs.SetItem(i, smaller) };
    }
}
