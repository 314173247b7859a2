using ConfigurableContracts.Rules.Functions;

namespace ConfigurableContracts.Rules.Tests.Functions;

public sealed class ScriptGuardTests
{
    private static readonly JavaScriptFunctionOptions Options = JavaScriptFunctionOptions.Default with { MaxNestingDepth = 3 };

    [Fact]
    public void Check_AcceptsNesting_AtTheLimit()
    {
        Assert.Null(ScriptGuard.Check("functions.js", "f([{a: 1}]);", Options));
    }

    [Fact]
    public void Check_ReportsLineAndColumn_OfTheFirstBracketPastTheLimit()
    {
        var diagnostic = ScriptGuard.Check("functions.js", "var a = 1;\n  x = [[[[1]]]];", Options);

        Assert.NotNull(diagnostic);
        Assert.Equal(ScriptDiagnosticCodes.NestingTooDeep, diagnostic.Code);
        Assert.Equal((2, 10), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Theory]
    [InlineData("var s = \"[[[[[[\";")]
    [InlineData("var s = '((((((' + \"{{{{\\\"{{\";")]
    [InlineData("// [[[[[[[[\nvar x = 1;")]
    [InlineData("/* {{{{{{{{\n [[[[[[ */ var x = 1;")]
    [InlineData("var r = /[[[[(((/; var q = x / 2;")]
    [InlineData("return /\\/(((((/.test(s);")]
    [InlineData("var t = `((((((${1}[[[[[[`;")]
    [InlineData("var t = `a${`((((((`}b`; var q = t / 2;")]
    public void Check_IgnoresBrackets_InStringsCommentsAndRegexLiterals(string source)
    {
        Assert.Null(ScriptGuard.Check("functions.js", source, Options));
    }

    [Fact]
    public void Check_CountsBracketsAfterDivision_AsCode()
    {
        // After a value a slash divides, so the brackets that follow are code and must count.
        Assert.NotNull(ScriptGuard.Check("functions.js", "var q = total / ((((x))));", Options));
    }

    [Fact]
    public void Check_CountsTemplateSubstitutions_AsNesting()
    {
        var diagnostic = ScriptGuard.Check("functions.js", "var t = `${[(`${{a: 1}}`)]}`;", Options);

        Assert.NotNull(diagnostic);
        Assert.Equal((1, 15), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Fact]
    public void Check_DoesNotLetStrayClosersHideLaterOpeners()
    {
        Assert.NotNull(ScriptGuard.Check("functions.js", "))))))]]]]]] [[[[1]]]]", Options));
    }

    [Fact]
    public void Check_RefusesSourceLongerThanLimit()
    {
        var diagnostic = ScriptGuard.Check("functions.js", new string(' ', 11), Options with { MaxSourceLength = 10 });

        Assert.Equal(ScriptDiagnosticCodes.SourceTooLarge, diagnostic?.Code);
    }
}
