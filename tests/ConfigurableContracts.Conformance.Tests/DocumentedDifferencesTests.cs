using System.Dynamic;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConfigurableContracts.Rules;
using ConfigurableContracts.Rules.Evaluation;
using ReSettings = RulesEngine.Models.ReSettings;
using Rule = RulesEngine.Models.Rule;
using RuleParameter = RulesEngine.Models.RuleParameter;
using Workflow = RulesEngine.Models.Workflow;
using MicrosoftRulesEngine = RulesEngine.RulesEngine;

namespace ConfigurableContracts.Conformance.Tests;

/// <summary>
/// Each numbered difference of README's "Differences from Microsoft RulesEngine 6 that a user can notice", shown by
/// running the same workflow and inputs through our engine and through RulesEngine 6.0.1, asserting both answers.
/// </summary>
public class DocumentedDifferencesTests
{
    private const string Member = """
        { "input1": { "country": "india", "loyaltyFactor": 2, "name": "Alva Berg", "lower": "a", "joinedOn": "2020-03-01",
                      "lastVisit": "2021-02-15", "a": 0.1, "b": 0.2, "total": 5, "price": "19.95", "middleName": null,
                      "follow": null, "codes": [3, 1, 2, 3],
                      "orders": [ { "id": 1, "amount": 120.5, "status": "paid" }, { "id": 2, "amount": 80.25, "status": "open" } ] } }
        """;

    private static (RuleResultTree Ours, OracleRuleResult Theirs, DifferentialResult Run) Rule(string expression, string inputs = Member)
    {
        var run = Oracle.Run(Oracle.SingleRule(expression), inputs);
        Assert.True(run.Theirs.Ran, run.Theirs.Failure);
        return (Assert.Single(run.Ours), Assert.Single(run.Theirs.Results), run);
    }

    private static (RuleResultTree Ours, OracleRuleResult Theirs) Output(string expression, string inputs = Member)
    {
        var run = Oracle.Run(Oracle.SingleOutputRule(expression), inputs);
        Assert.True(run.Theirs.Ran, run.Theirs.Failure);
        return (Assert.Single(run.Ours), Assert.Single(run.Theirs.Results));
    }

    private static Diagnostic Refusal(DifferentialResult run, string code) =>
        Assert.Single(run.Diagnostics, d => d.IsError && d.Code == code);

    [Fact]
    public void D01_MisspelledField_IsLoadErrorWithDidYouMean_WhereRulesEngineSilentlyAnswersFalse()
    {
        var (ours, theirs, run) = Rule("input1.countrey == \"india\"");

        var diagnostic = Refusal(run, DiagnosticCodes.UnknownProperty);
        Assert.Contains("Did you mean 'country'?", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.False(theirs.IsSuccess);
        Assert.False(theirs.HasError);
    }

    [Fact]
    public void D02_MissingDataAndFailures_AreNotEvaluableAndError_WhereRulesEngineHasOnlyIsSuccessFalse()
    {
        var (missing, theirMissing, _) = Rule("input1.follow.score > 1");
        var (failed, theirFailed, _) = Rule("input1.orders.First(o => o.id == 99).amount > 1");

        Assert.Equal(RuleStatus.NotEvaluable, missing.Status);
        Assert.Equal("", missing.ExceptionMessage);
        Assert.Contains("missing", missing.Reason, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Error, failed.Status);
        Assert.False(missing.IsSuccess || failed.IsSuccess);
        Assert.False(theirMissing.IsSuccess || theirFailed.IsSuccess);
        Assert.True(theirMissing.HasError && theirFailed.HasError);
    }

    [Fact]
    public void D03_NullField_IsNotEvaluable_WhereRulesEngineThrows()
    {
        var (ours, theirs, _) = Rule("input1.follow.score > 1");

        Assert.Equal(RuleStatus.NotEvaluable, ours.Status);
        Assert.Contains("score", theirs.ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void D03_NullLiteralCompared_IsNotEvaluable_WhereCSharpLiftsToFalse()
    {
        var (ours, theirs, _) = Rule("input1.middleName > 1");

        Assert.Equal(RuleStatus.NotEvaluable, ours.Status);
        Assert.False(theirs.IsSuccess);
    }

    [Fact]
    public void D03_NullJsonField_IsTypedByItsUse_WhereRulesEngineTypesItObject()
    {
        // RulesEngine gives a field that is null in the JSON the type object: '??' then yields an object, and
        // object == string compares references, so a rule that should hold answers false.
        var (ours, theirs, _) = Rule("(input1.middleName ?? input1.name) == \"Alva Berg\"");

        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.False(theirs.IsSuccess);
        Assert.False(theirs.HasError);
    }

    [Fact]
    public void D03_CoalesceOnANumberField_Works_WhereRulesEngineRefusesIt()
    {
        var (ours, theirs, _) = Rule("(input1.total ?? 0) == 5");

        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.Contains("cannot be null", theirs.ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void D04_Clock_IsRefusedWithAsOf_WhereRulesEngineReadsTheMachineClock()
    {
        var (ours, theirs, run) = Rule("DateTime.Now > DateTime.Parse(\"2000-01-01\")");

        Assert.Contains("asOf", Refusal(run, DiagnosticCodes.ForbiddenMember).Message, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D05_ReflectionAndCustomTypes_AreRefused_WhereRulesEngineRunsThem()
    {
        var (ours, theirs, run) = Rule("input1.name.GetType().Name == \"String\"");
        Refusal(run, DiagnosticCodes.ForbiddenMember);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);

        var custom = Oracle.SingleRule("Regex.IsMatch(input1.name, \"^Al\")");
        var withCustomType = RulesEngineOracle.Load(custom, new ReSettings { CustomTypes = [typeof(Regex)] });
        Assert.True(Assert.Single(withCustomType.Run("W", Inputs(Member)).Results).IsSuccess);
        var ourRun = Oracle.Run(custom, Member);
        Assert.Contains(ourRun.Diagnostics, d => d.IsError && d.Code == DiagnosticCodes.UnknownName);
    }

    [Fact]
    public void D06_DecimalsAreExact_WhereRulesEngineComputesJsonNumbersInDouble()
    {
        var (ours, theirs, _) = Rule("input1.a + input1.b == 0.3");

        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.False(theirs.IsSuccess);
        Assert.False(theirs.HasError);
    }

    [Fact]
    public void D06_ConvertToDouble_GivesDecimal_WhereRulesEngineGivesDouble()
    {
        var (ours, theirs) = Output("Convert.ToDouble(input1.price)");

        Assert.Equal(19.95m, ours.ActionOutput);
        Assert.IsType<double>(theirs.Output);
    }

    [Fact]
    public void D06_DivisionByZero_IsError_WhereRulesEngineGivesInfinity()
    {
        var (ours, theirs) = Output("input1.total / 0");

        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.Equal(double.PositiveInfinity, theirs.Output);
    }

    [Fact]
    public void D06_DivisionOfDataIntegers_IsExactInBoth_AndOfIntLiteralsTruncatesInBoth()
    {
        var (data, theirData) = Output("input1.total / 2");
        var (literal, theirLiteral) = Output("7 / 2");

        Assert.Equal(2.5m, data.ActionOutput);
        Assert.Equal(2.5, theirData.Output);
        Assert.Equal(3L, literal.ActionOutput);
        Assert.Equal(3, theirLiteral.Output);
    }

    [Fact]
    public void D06_IntegerOverflow_IsError_WhereRulesEngineComputesInDouble()
    {
        var (ours, theirs) = Output("input1.big * input1.big", """{ "input1": { "big": 12345678901 } }""");

        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.Equal(1.5241578752659656E+20, theirs.Output);
    }

    [Fact]
    public void D06_MidpointRounding_IsExact_WhereRulesEngineRoundsTheNearestDouble()
    {
        // 2.345 is a midpoint in decimal (rounded to even: 2.34); as a double it is 2.34500000000000019…, so 2.35.
        var (ours, theirs) = Output("Math.Round(input1.x, 2)", """{ "input1": { "x": 2.345 } }""");

        Assert.Equal(2.34m, ours.ActionOutput);
        Assert.Equal(2.35, theirs.Output);
    }

    [Fact]
    public void D06_NumberText_IsTheDecimals_WhereRulesEngineWritesTheDouble()
    {
        var (ours, theirs) = Output("\"fee \" + input1.fee + \", third \" + input1.fee / 3", """{ "input1": { "fee": 12.50 } }""");

        Assert.Equal("fee 12.50, third 4.1666666666666666666666666667", ours.ActionOutput);
        Assert.Equal("fee 12.5, third 4.166666666666667", theirs.Output);
    }

    [Fact]
    public void D07_LinqOverJsonArrayOfNumbers_Works_WhereRulesEngineCannotBindIt()
    {
        var (ours, theirs, _) = Rule("input1.codes.Sum() == 9");

        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.Contains("No generic method 'Sum'", theirs.ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void D08_IsoDateStrings_AreDates_WhereRulesEngineKeepsStrings()
    {
        var (ours, theirs, _) = Rule("input1.joinedOn.AddMonths(3) <= input1.lastVisit");

        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.Contains("AddMonths", theirs.ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void D09_StringOrder_IsOrdinal_WhereRulesEngineUsesStringCompare()
    {
        // Ordinal: 'a' (97) sorts after 'B' (66). RulesEngine's relational operators on strings call String.Compare,
        // which is culture-aware where the culture data is installed and puts "a" before "B".
        var (ours, theirs, _) = Rule("input1.lower < \"B\"");

        Assert.Equal(RuleStatus.NotAchieved, ours.Status);
        Assert.True(theirs.IsSuccess, "RulesEngine compares with the current culture");
    }

    [Fact]
    public void D10_EqualityBetweenNumberAndString_IsLoadError_WhereRulesEngineConvertsTheLiteral()
    {
        var (ours, theirs, run) = Rule("input1.loyaltyFactor == \"2\"");

        Refusal(run, DiagnosticCodes.NotComparable);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D11_NamesAreCaseSensitive_WhereRulesEngineIgnoresCase()
    {
        var (ours, theirs, run) = Rule("input1.Country == \"india\"");
        var (keywords, theirKeywords, _) = Rule("input1.country == \"india\" AnD NOT (input1.loyaltyFactor > 5)");

        Assert.Contains("Did you mean 'country'?", Refusal(run, DiagnosticCodes.UnknownProperty).Message, StringComparison.Ordinal);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
        Assert.Equal(RuleStatus.Achieved, keywords.Status);
        Assert.True(theirKeywords.IsSuccess);
    }

    [Fact]
    public async Task D12_PositionalInputNames_DoNotExist_WhereRulesEngineNamesThemInput1()
    {
        // RulesEngine's positional overload names its inputs input1, input2, …; here inputs have the template's names.
        var engine = new MicrosoftRulesEngine([Workflow("W", "input1.country == \"india\"")], new ReSettings());
        var positional = await engine.ExecuteAllRulesAsync("W", JsonExpando.From(Element(Member).GetProperty("input1"))!);
        Assert.True(Assert.Single(positional).IsSuccess);

        var ours = Oracle.Run(Oracle.SingleRule("input1.country == \"india\""), $$"""{ "participant": {{Element(Member).GetProperty("input1").GetRawText()}} }""");
        Assert.Contains(ours.Diagnostics, d => d.IsError && d.Code == DiagnosticCodes.UnknownName && d.Message.Contains("'input1'", StringComparison.Ordinal));
    }

    [Fact]
    public void D13_OnFailure_DoesNotRunForMissingData_WhereRulesEngineRunsItForAnException()
    {
        var workflow = WorkflowJson(new
        {
            RuleName = "R",
            Expression = "input1.follow.score > 1",
            Actions = new { OnFailure = new { Name = "OutputExpression", Context = new { Expression = "0" } } },
        });
        var run = Oracle.Run(workflow, Member);

        var ours = Assert.Single(run.Ours);
        Assert.Equal(RuleStatus.NotEvaluable, ours.Status);
        Assert.Null(ours.ActionOutput);
        var theirs = Assert.Single(run.Theirs.Results);
        Assert.False(theirs.IsSuccess);
        Assert.Equal(0, Convert.ToInt32(theirs.Output, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void D13_FailingAction_MakesRuleError_WhereRulesEngineKeepsIsSuccess()
    {
        var (ours, theirs) = Output("input1.orders.First(o => o.id == 99).amount");

        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
        Assert.NotNull(theirs.ActionException);
    }

    [Fact]
    public void D14_EvaluateRule_PassesOnTheTargetsError_WhereRulesEngineKeepsTheCallerSuccessful()
    {
        var workflow = $$"""
            [ { "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expression": "true",
                "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "Amounts", "ruleName": "Broken" } } } } ] },
              { "WorkflowName": "Amounts", "Rules": [ { "RuleName": "Broken", "Expression": "input1.orders.First(o => o.id == 99).amount > 1" } ] } ]
            """;
        var run = Oracle.Run(workflow, Member);

        Assert.Equal(RuleStatus.Error, Assert.Single(run.Ours).Status);
        var theirs = Assert.Single(run.Theirs.Results);
        Assert.True(theirs.IsSuccess);
        Assert.False(theirs.HasError);
    }

    [Fact]
    public void D15_FailingGlobalParam_FailsOnlyTheRulesThatReadIt()
    {
        var workflow = JsonSerializer.Serialize(new
        {
            WorkflowName = "W",
            GlobalParams = new[] { new { Name = "missed", Expression = "input1.orders.First(o => o.id == 99).amount" } },
            Rules = new[]
            {
                new { RuleName = "ReadsIt", Expression = "missed > 1" },
                new { RuleName = "DoesNot", Expression = "input1.loyaltyFactor == 2" },
            },
        });
        var run = Oracle.Run(workflow, Member);

        Assert.Equal(RuleStatus.Error, run.Ours.Find("ReadsIt")!.Status);
        Assert.Equal(RuleStatus.Achieved, run.Ours.Find("DoesNot")!.Status);
        Assert.All(run.Theirs.Results, theirs => Assert.True(theirs.HasError && !theirs.IsSuccess, theirs.RuleName));
    }

    [Fact]
    public void D15_LocalParamShadowingAGlobalParam_Runs_WhereRulesEngineFailsTheRule()
    {
        var workflow = """
            { "WorkflowName": "W", "GlobalParams": [ { "Name": "x", "Expression": "1" } ],
              "Rules": [ { "RuleName": "R", "LocalParams": [ { "Name": "x", "Expression": "2" } ], "Expression": "x == 2" } ] }
            """;
        var run = Oracle.Run(workflow, Member);

        Assert.Equal(RuleStatus.Achieved, Assert.Single(run.Ours).Status);
        Assert.Contains("same key", Assert.Single(run.Theirs.Results).ExceptionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void D16_RepeatedRuleName_IsRefusedAtLoad_WhereRulesEngineCannotRunTheWorkflow()
    {
        var workflow = JsonSerializer.Serialize(new
        {
            WorkflowName = "W",
            Rules = new[] { new { RuleName = "R", Expression = "true" }, new { RuleName = "R", Expression = "false" } },
        });
        var run = Oracle.Run(workflow, Member);

        Assert.Contains(run.Diagnostics, d => d.IsError && d.Code == DiagnosticCodes.DuplicateRule);
        Assert.Equal([RuleStatus.Achieved, RuleStatus.Error], run.Ours.Select(r => r.Status));
        Assert.False(run.Theirs.Ran);
        Assert.Contains("same key", run.Theirs.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void D17_AverageOfNothing_IsNotEvaluable_WhereRulesEngineThrows()
    {
        var (ours, theirs, _) = Rule("input1.orders.Where(o => o.id > 99).Average(o => o.amount) > 1");

        Assert.Equal(RuleStatus.NotEvaluable, ours.Status);
        Assert.Contains("no elements", theirs.ExceptionMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int(input1.a * 75) == 7", "Convert.ToInt32(x)")]
    [InlineData("input1.loyaltyFactor > 1 & input1.country == \"india\"", "&&")]
    public void D18_DynamicLinqShorthands_AreRefusedWithHowToWriteThem_WhereRulesEngineRunsThem(string expression, string hint)
    {
        var (ours, theirs, run) = Rule(expression);

        Assert.Contains(run.Diagnostics, d => d.IsError && d.Message.Contains(hint, StringComparison.Ordinal));
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D18_SingleQuotedLiteral_IsString_WhereRulesEngineReadsACharacter()
    {
        var (ours, theirs, _) = Rule("input1.country == 'india'");

        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.Contains("Character literal", theirs.ExceptionMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("input1.orders.Any(it.amount > 100)")]
    [InlineData("input1.orders.Any(amount > 100)")]
    public void D18_ImplicitIt_AnswersAsRulesEngine(string expression)
    {
        var (ours, theirs, run) = Rule(expression);

        Assert.True(run.Agree, string.Join("\n", run.Differences));
        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D18_NullPropagation_AnswersAsRulesEngine()
    {
        var (ours, theirs, run) = Rule("np(input1.middleName) == null");

        Assert.True(run.Agree, string.Join("\n", run.Differences));
        Assert.Equal(RuleStatus.Achieved, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D19_UnknownWorkflowField_IsWarning_WhereRulesEngineIgnoresIt()
    {
        var workflow = """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "Expresion": "false", "Expression": "true" } ] }""";
        var run = Oracle.Run(workflow, Member);

        var warning = Assert.Single(run.Diagnostics, d => d.Code == DiagnosticCodes.UnknownField);
        Assert.False(warning.IsError);
        Assert.True(run.Agree, string.Join("\n", run.Differences));
    }

    [Fact]
    public void D19_ErrorType_IsIgnoredWithAWarning_WhereRulesEngineAcceptsIt()
    {
        var workflow = """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "ErrorType": "Error", "Expression": "input1.loyaltyFactor > 5" } ] }""";
        var run = Oracle.Run(workflow, Member);

        var warning = Assert.Single(run.Diagnostics, d => d.Code == DiagnosticCodes.LegacyField);
        Assert.False(warning.IsError);
        Assert.Equal(RuleStatus.NotAchieved, Assert.Single(run.Ours).Status);
        Assert.True(run.Agree, string.Join("\n", run.Differences));
    }

    [Fact]
    public void D19_OtherRuleExpressionType_IsError_WhereRulesEngineCannotReadTheFile()
    {
        var workflow = """{ "WorkflowName": "W", "Rules": [ { "RuleName": "R", "RuleExpressionType": "Other", "Expression": "true" } ] }""";
        var run = Oracle.Run(workflow, Member);

        Assert.Contains(run.Diagnostics, d => d.IsError && d.Code == DiagnosticCodes.InvalidExpressionType);
        Assert.False(run.Theirs.Ran);
    }

    [Fact]
    public void D20_DeepNesting_IsRefused_WhereRulesEngineAcceptsIt()
    {
        var expression = new string('(', 100) + "input1.loyaltyFactor == 2" + new string(')', 100);
        var (ours, theirs, run) = Rule(expression);

        Refusal(run, DiagnosticCodes.ExpressionTooDeep);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D20_LongExpression_IsRefused_WhereRulesEngineAcceptsIt()
    {
        var expression = string.Join(" || ", Enumerable.Repeat("input1.loyaltyFactor == 2", 500));
        Assert.True(expression.Length > 10_000);
        var (ours, theirs, run) = Rule(expression);

        Assert.Contains(run.Diagnostics, d => d.IsError && d.Code == DiagnosticCodes.ExpressionTooLong);
        Assert.Equal(RuleStatus.Error, ours.Status);
        Assert.True(theirs.IsSuccess);
    }

    [Fact]
    public void D20_LargeFile_IsRefused_WhereRulesEngineLoadsIt()
    {
        var message = new string('x', Rules.Workflows.WorkflowReader.MaxFileBytes);
        var workflow = WorkflowJson(new { RuleName = "R", Expression = "input1.loyaltyFactor == 2", ErrorMessage = message });

        var run = Oracle.Run(workflow, Member);

        Assert.Contains(run.Diagnostics, d => d.IsError && d.Code == DiagnosticCodes.FileTooLarge);
        Assert.Empty(run.Ours);
        Assert.True(Assert.Single(run.Theirs.Results).IsSuccess);
    }

    /// <summary>
    /// Compile-once caching and lock-free concurrent evaluation change no rule's answer, so RulesEngine cannot show a
    /// difference here: what is observable is that one compiled set gives every caller the same results at once.
    /// </summary>
    [Fact]
    public void D21_OneCompiledWorkflow_EvaluatesConcurrently_WithTheSameAnswers()
    {
        var read = Rules.Workflows.WorkflowReader.Read("w.json", Oracle.SingleRule("input1.orders.Sum(o => o.amount) > 200 && input1.country == \"india\""));
        var input = Element(Member).GetProperty("input1");
        var type = Rules.Types.RuleType.InferFromData(input);
        var compiled = Rules.Compilation.WorkflowCompiler.Compile(read.Workflows, new Dictionary<string, Rules.Types.RuleType> { ["input1"] = type });
        var inputs = new RuleInputs();
        inputs.SetJson("input1", input, type);

        var statuses = new RuleStatus[64];
        Parallel.For(0, statuses.Length, i => statuses[i] = compiled.Workflows.Evaluate("W", inputs)[0].Status);

        Assert.All(statuses, status => Assert.Equal(RuleStatus.Achieved, status));
    }

    [Fact]
    public async Task D22_SuccessEvent_IsOnTheInMemoryResultOnly_WhereRulesEngineResultCarriesTheRule()
    {
        var workflow = WorkflowJson(new { RuleName = "R", Expression = "true", SuccessEvent = "10", Properties = new { note = "kept" } });
        var run = Oracle.Run(workflow, Member);

        var ours = Assert.Single(run.Ours);
        Assert.Equal("10", ours.SuccessEvent);
        Assert.Equal("kept", ours.Properties?.GetProperty("note").GetString());
        var json = RuleResultJson.ToJson(run.Ours);
        Assert.DoesNotContain("10", json, StringComparison.Ordinal);
        Assert.DoesNotContain("kept", json, StringComparison.Ordinal);
        var engine = new MicrosoftRulesEngine([Workflow("W", "true", successEvent: "10")], new ReSettings());
        var theirs = await engine.ExecuteAllRulesAsync("W", new RuleParameter("input1", new ExpandoObject()));
        Assert.Equal("10", Assert.Single(theirs).Rule.SuccessEvent);
    }

    [Fact]
    public void D23_ConvertToInt16_HasNoRangeCheck_WhereRulesEngineOverflows()
    {
        var (ours, theirs) = Output("Convert.ToInt16(\"40000\")");
        var (single, theirSingle) = Output("Convert.ToSingle(\"0.25\")");

        Assert.Equal(40000L, ours.ActionOutput);
        Assert.NotNull(theirs.ActionException);
        Assert.Equal(0.25m, single.ActionOutput);
        Assert.IsType<float>(theirSingle.Output);
    }

    [Fact]
    public void D24_InjectedWorkflow_BringsItsGlobalParamsAndComesFirst_WhereRulesEngineInjectsRulesOnlyAfterOwn()
    {
        var workflow = """
            [ { "WorkflowName": "Base", "GlobalParams": [ { "Name": "limit", "Expression": "2" } ],
                "Rules": [ { "RuleName": "Loyal", "Expression": "input1.loyaltyFactor >= limit" } ] },
              { "WorkflowName": "W", "WorkflowsToInject": [ "Base" ], "Rules": [ { "RuleName": "Indian", "Expression": "input1.country == \"india\"" } ] } ]
            """;
        var run = Oracle.Run(workflow, Member);

        Assert.Equal(["Loyal", "Indian"], run.Ours.Select(r => r.RuleName));
        Assert.All(run.Ours, ours => Assert.Equal(RuleStatus.Achieved, ours.Status));
        Assert.Equal(["Indian", "Loyal"], run.Theirs.Results.Select(r => r.RuleName));
        Assert.True(run.Theirs.Results[1].HasError);
        Assert.Contains("limit", run.Theirs.Results[1].ExceptionMessage, StringComparison.Ordinal);
    }

    private static string WorkflowJson(object rule) => JsonSerializer.Serialize(new { WorkflowName = "W", Rules = new[] { rule } });

    private static Workflow Workflow(string name, string expression, string? successEvent = null) => new()
    {
        WorkflowName = name,
        Rules = [new Rule { RuleName = "R", Expression = expression, SuccessEvent = successEvent }],
    };

    private static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> Inputs(string json) =>
        Element(json).EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
}
