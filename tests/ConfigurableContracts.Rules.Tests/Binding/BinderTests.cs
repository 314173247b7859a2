using ConfigurableContracts.Rules.Types;

namespace ConfigurableContracts.Rules.Tests.Binding;

public class BinderTests
{
    private static Diagnostic SingleError(string expression, FakeFunctions? functions = null)
    {
        var diagnostics = TestEngine.Diagnose(expression, Schemas.ParticipantInputs(), functions);
        return Assert.Single(diagnostics, d => d.IsError);
    }

    private static void Binds(string expression, FakeFunctions? functions = null)
    {
        var diagnostics = TestEngine.Diagnose(expression, Schemas.ParticipantInputs(), functions);
        Assert.DoesNotContain(diagnostics, d => d.IsError);
    }

    [Fact]
    public void Bind_ReportsUnknownProperty_WithSuggestionAndColumn()
    {
        var error = SingleError("followUp6.scroe > baseline.score");
        Assert.Equal(DiagnosticCodes.UnknownProperty, error.Code);
        Assert.Contains("Did you mean 'score'?", error.Message, StringComparison.Ordinal);
        Assert.Equal("R", error.RuleName);
        // The expression starts at column 49 of line 1 of the generated JSON; "scroe" is 10 characters in.
        var expressionStart = TestEngine.SingleRule("followUp6.scroe > baseline.score").IndexOf("followUp6", StringComparison.Ordinal) + 1;
        Assert.Equal(expressionStart + 10, error.Location.Column);
    }

    [Fact]
    public void Bind_ReportsUnknownInput_WithSuggestion()
    {
        var error = SingleError("folowUp6.score > 1");
        Assert.Equal(DiagnosticCodes.UnknownName, error.Code);
        Assert.Contains("Did you mean 'followUp6'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_SuggestsCaseFix_WhenOnlyCaseDiffers()
    {
        var error = SingleError("participant.Age > 18");
        Assert.Contains("Did you mean 'age'?", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("participant.id > 3")]
    [InlineData("participant.age + true > 1")]
    [InlineData("participant.id * 2 == 4")]
    [InlineData("!participant.age")]
    [InlineData("participant.age && true")]
    [InlineData("-participant.id == 1")]
    public void Bind_ReportsOperandTypes_WhenOperatorDoesNotApply(string expression) =>
        Assert.Equal(DiagnosticCodes.OperandTypes, SingleError(expression).Code);

    [Theory]
    [InlineData("participant.id == 3")]
    [InlineData("participant.age == \"18\"")]
    [InlineData("participant.sessions == 1")]
    public void Bind_ReportsNotComparable_WhenEqualityMixesTypes(string expression) =>
        Assert.Equal(DiagnosticCodes.NotComparable, SingleError(expression).Code);

    [Fact]
    public void Bind_ReportsUnknownMethod_WithSuggestion()
    {
        var error = SingleError("participant.id.StartWith(\"A\")");
        Assert.Equal(DiagnosticCodes.UnknownMethod, error.Code);
        Assert.Contains("Did you mean 'StartsWith'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReportsUnknownLinqMethod_WithSuggestion()
    {
        var error = SingleError("participant.sessions.Ani(s => s.minutes > 1)");
        Assert.Contains("Did you mean 'Any'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReportsWrongLambda_WhenPredicateIsNotBoolean()
    {
        var error = SingleError("participant.sessions.Any(s => s.minutes)");
        Assert.Equal(DiagnosticCodes.InvalidLambda, error.Code);
    }

    [Fact]
    public void Bind_ReportsUnknownProperty_InsideLambda_OnTypedArrayElements()
    {
        var error = SingleError("participant.sessions.Any(s => s.knd == \"group\")");
        Assert.Equal(DiagnosticCodes.UnknownProperty, error.Code);
        Assert.Contains("Did you mean 'kind'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReportsWrongLambda_WhenMethodTakesNone()
    {
        Assert.Equal(DiagnosticCodes.InvalidLambda, SingleError("participant.sessions.Take(s => 1).Any()").Code);
    }

    [Fact]
    public void Bind_ReportsLambda_OutsideMethodCall()
    {
        Assert.Equal(DiagnosticCodes.InvalidLambda, SingleError("iif(true, x => x, 1) == 1").Code);
    }

    [Fact]
    public void Bind_ReportsArgumentCount()
    {
        Assert.Equal(DiagnosticCodes.ArgumentCount, SingleError("participant.id.Contains() ").Code);
        Assert.Equal(DiagnosticCodes.ArgumentCount, SingleError("Math.Max(1) > 0").Code);
    }

    [Fact]
    public void Bind_ReportsNotBoolean_WhenRuleExpressionIsANumber()
    {
        Assert.Equal(DiagnosticCodes.NotBoolean, SingleError("participant.age + 1").Code);
    }

    [Fact]
    public void Bind_ReportsAnError_WhenAnEnumValueIsMisspelt_WithSuggestion()
    {
        var diagnostics = TestEngine.Diagnose("participant.sessions.Any(s => s.kind == \"grup\")", Schemas.ParticipantInputs());
        var error = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal(DiagnosticCodes.NotInEnum, error.Code);
        Assert.Contains("Did you mean 'group'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReportsInvalidDate_WhenLiteralComparedWithDateIsNotOne()
    {
        Assert.Equal(DiagnosticCodes.InvalidDate, SingleError("participant.enrolledOn > \"2022-13-01\"").Code);
        Assert.Equal(DiagnosticCodes.InvalidDate, SingleError("asOf > DateTime.Parse(\"soon\")").Code);
    }

    [Theory]
    [InlineData("participant.enrolledOn >= \"2022-01-01\"")]
    [InlineData("participant.enrolledOn.AddMonths(6) <= asOf")]
    [InlineData("(asOf - participant.enrolledOn).TotalDays > 180")]
    [InlineData("asOf.Year == 2022 && asOf.Month > 1 && asOf.Day >= 1")]
    [InlineData("participant.sessions.Count(s => s.kind == \"group\") >= 3")]
    [InlineData("participant.sessions.Sum(s => s.minutes) > 600")]
    [InlineData("participant.sessions.Where(s => s.on >= asOf.AddDays(-90)).Select(s => s.minutes).Max() > 30")]
    [InlineData("participant.tags.Contains(\"priority\")")]
    [InlineData("participant.exitReason in (\"moved\", \"declined\")")]
    [InlineData("participant.exitReason == null")]
    [InlineData("(followUp6.score ?? 0) > baseline.score")]
    [InlineData("Math.Abs(followUp6.score - baseline.score) >= contract.threshold")]
    [InlineData("string.IsNullOrEmpty(participant.id) == false")]
    [InlineData("Convert.ToDecimal(participant.age) / 2 > 8.5")]
    [InlineData("iif(participant.age > 18, contract.outcomePayment, 0) > 0")]
    [InlineData("participant[\"age\"] > 18")]
    [InlineData("participant.sessions[0].minutes > 1")]
    [InlineData("participant.id.Length == 6 AND participant.id.ToUpper().StartsWith(\"P\")")]
    [InlineData("participant.sessions.OrderByDescending(s => s.on).First().kind == \"group\"")]
    public void Bind_AcceptsTheDocumentedLanguage(string expression) => Binds(expression);

    [Fact]
    public void Bind_ReportsUnknownFunction_WithSuggestion()
    {
        var functions = new FakeFunctions().Add("behaviourChange", 2, "number", _ => 1m);
        var error = SingleError("fn.behaviorChange(baseline, followUp6) > 0", functions);
        Assert.Equal(DiagnosticCodes.UnknownFunction, error.Code);
        Assert.Contains("Did you mean 'behaviourChange'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReportsFunctionArity()
    {
        var functions = new FakeFunctions().Add("behaviourChange", 2, "number", _ => 1m);
        Assert.Equal(DiagnosticCodes.ArgumentCount, SingleError("fn.behaviourChange(baseline) > 0", functions).Code);
    }

    [Fact]
    public void Bind_TypesFunctionResult_FromItsSignature()
    {
        var functions = new FakeFunctions().Add("label", 1, "string", _ => "x");
        Assert.Equal(DiagnosticCodes.OperandTypes, SingleError("fn.label(participant) > 1", functions).Code);
        Binds("fn.label(participant) == \"x\"", functions);
    }

    [Fact]
    public void Bind_ReportsNoFunctions_WhenTemplateHasNone()
    {
        Assert.Equal(DiagnosticCodes.NoFunctions, SingleError("fn.anything(1) > 0").Code);
    }

    [Fact]
    public void Bind_AcceptsAnyMember_OnUntypedInput()
    {
        var diagnostics = TestEngine.Diagnose("raw.whatever.deep > 1 && raw.list.Any(x => x.y == 2)", new Dictionary<string, RuleType> { ["raw"] = RuleType.Any });
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Bind_ReportsEveryError_OfOneExpression()
    {
        var diagnostics = TestEngine.Diagnose("participant.agee > 1 && baseline.scor > 2", Schemas.ParticipantInputs());
        Assert.Equal(2, diagnostics.Count(d => d.Code == DiagnosticCodes.UnknownProperty));
    }
}
