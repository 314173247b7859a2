using System.Runtime.CompilerServices;
using ConfigurableContracts.Rules.Functions;

namespace ConfigurableContracts.Rules.Tests.Functions;

/// <summary>Keeps docs/javascript-functions.md honest: its example must load and behave as the guide says.</summary>
public sealed class JavaScriptFunctionsGuideTests
{
    [Fact]
    public void GuideExample_LoadsAndComputes()
    {
        var functions = JavaScriptFunctions.Load("functions.js", GuideExample(), out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.NotNull(functions);
        Assert.True(functions.TryGetFunction("behaviourChange", out var change));
        Assert.Equal(new RuleFunctionSignature("behaviourChange", 2, "number"), change);
        Assert.Equal(0.2m, functions.Invoke("behaviourChange", [10m, 12m]));
        Assert.Null(functions.Invoke("behaviourChange", [null, 12m]));
        Assert.Equal(7L, functions.Invoke("monthsBetween", [new DateTime(2022, 1, 31), new DateTime(2022, 8, 1)]));
    }

    [Fact]
    public void GuideDateForms_BuildTheSameDay()
    {
        var functions = JavaScriptFunctions.Load("dates.js", """
            /** @returns {boolean} */
            function sameDay() {
                var a = new Date(Date.UTC(2022, 5, 1)), b = new Date("2022-06-01"), c = new Date(a.getTime());
                return a.getTime() === b.getTime() && b.getTime() === c.getTime() && a.getHours() === a.getUTCHours();
            }
            """, out _);

        Assert.Equal(true, functions!.Invoke("sameDay", []));
    }

    private static string GuideExample([CallerFilePath] string sourceFile = "")
    {
        var guide = File.ReadAllText(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", "..", "docs", "javascript-functions.md"));
        var start = guide.IndexOf("```js\n", StringComparison.Ordinal) + "```js\n".Length;
        return guide[start..guide.IndexOf("```", start, StringComparison.Ordinal)];
    }
}
