using System.Collections.Immutable;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>The classifiers explain a disagreement only in the shape of their documented difference.</summary>
public class DifferenceClassifierTests
{
    private static readonly FuzzRule Rule = new("R", FuzzExpression.Node(FuzzType.Boolean, FuzzOp.Binary, ">",
            FuzzExpression.Leaf(FuzzType.WholeNumber, FuzzOp.Field, "p.age", FuzzJsonKind.WholeNumber),
            FuzzExpression.Leaf(FuzzType.WholeNumber, FuzzOp.Literal, "", 1L)),
        null, [], [], null, null);

    private static FuzzInput Input(long? age) => new(
        ImmutableDictionary<string, long?>.Empty.Add("age", age), ImmutableDictionary<string, decimal?>.Empty,
        ImmutableDictionary<string, string?>.Empty, ImmutableDictionary<string, bool?>.Empty, ImmutableDictionary<string, DateOnly?>.Empty, []);

    private static IReadOnlySet<DocumentedDifference>? Classify(RuleResultTree ours, OracleRuleResult theirs, FuzzInput input)
    {
        var difference = Assert.Single(ResultComparison.Compare([ours], new OracleRun([theirs], null)));
        return DifferenceClassifier.Classify(new DisagreementContext(difference, ours, theirs, Rule, Rule, null, null, new HashSet<DocumentedDifference>(),
            new FuzzWorkflow([], [Rule]), input, [ours], [theirs]));
    }

    [Fact]
    public void Classify_ExplainsNothing_WhenRulesEngineSimplyAnswersOtherwise() =>
        Assert.Null(Classify(
            new RuleResultTree { RuleName = "R", Status = RuleStatus.Achieved },
            new OracleRuleResult("R", false, "", null, null, []),
            Input(5)));

    [Fact]
    public void Classify_ExplainsNotEvaluable_AsNullOperand_OnlyWhenTheRuleReadsANullField()
    {
        var ours = new RuleResultTree { RuleName = "R", Status = RuleStatus.NotEvaluable, Reason = "'p.age' is missing" };
        var theirs = new OracleRuleResult("R", false, "Exception while parsing expression `p.age > 1` - The binary operator GreaterThan is not defined for the types 'System.Object' and 'System.Int32'.", null, null, []);

        Assert.Equal([DocumentedDifference.NullIsNotAnException], Classify(ours, theirs, Input(null)));
        Assert.Null(Classify(ours, theirs, Input(5)));
    }
}
