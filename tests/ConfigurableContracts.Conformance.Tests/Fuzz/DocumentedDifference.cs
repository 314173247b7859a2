namespace ConfigurableContracts.Conformance.Tests.Fuzz;

/// <summary>A documented difference from Microsoft RulesEngine, by its number in README's list.</summary>
public sealed record DocumentedDifference(int Number, string Name)
{
    public static readonly DocumentedDifference Typos = new(1, "mistakes are errors at load; RulesEngine answers false for a misspelt field and compiles an action only when it runs");
    public static readonly DocumentedDifference FourthOutcome = new(2, "a parent of an undecided nested rule is Error/NotEvaluable; RulesEngine says false");
    public static readonly DocumentedDifference NullIsNotAnException = new(3, "a null operand makes the rule NotEvaluable; RulesEngine throws or says false");
    public static readonly DocumentedDifference TypedArrays = new(7, "an empty JSON array keeps its element type here; RulesEngine types it List<object> and cannot compile a lambda over it");
    public static readonly DocumentedDifference Numbers = new(6, "JSON numbers are long/decimal here, double in RulesEngine");
    public static readonly DocumentedDifference Dates = new(8, "ISO date strings are dates here, strings in RulesEngine");
    public static readonly DocumentedDifference OrdinalStrings = new(9, "string comparison and search are ordinal here, culture-sensitive in RulesEngine");
    public static readonly DocumentedDifference TypedEquality = new(10, "equality between different types is an error at load; RulesEngine converts or answers false");
    public static readonly DocumentedDifference DecidedActions = new(13, "actions run only for a decided result and a failing action makes the rule Error");
    public static readonly DocumentedDifference FailingParameters = new(15, "a failing parameter fails only the rules that read it; RulesEngine fails the rule that declares it");
    public static readonly DocumentedDifference EvaluateRule = new(14, "EvaluateRule takes the target's status; RulesEngine 6.0.1 gives null for a failed target, and every target fails in a workflow with GlobalParams");
    public static readonly DocumentedDifference EmptyAggregates = new(17, "Min/Max of no elements are NotEvaluable; RulesEngine throws");

    public override string ToString() => $"#{Number} ({Name})";
}
