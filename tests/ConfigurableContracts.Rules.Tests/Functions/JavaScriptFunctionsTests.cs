using System.Globalization;
using ConfigurableContracts.Rules.Functions;

namespace ConfigurableContracts.Rules.Tests.Functions;

public sealed class JavaScriptFunctionsTests
{
    private const string Path = "rules/test/functions.js";

    [Fact]
    public void Load_ReadsSignatures_FromDeclarationsAndJsDoc()
    {
        var functions = LoadOrFail("""
            /**
             * Relative change between two measurements.
             * @param {number} baseline
             * @returns {number}
             */
            function behaviourChange(baseline, followUp) { return (followUp - baseline) / baseline; }

            /** @returns {integer} */
            function monthsBetween(a, b, c) { return 0; }

            function untyped() { return 1; }
            """);

        Assert.True(functions.TryGetFunction("behaviourChange", out var change));
        Assert.Equal(new RuleFunctionSignature("behaviourChange", 2, "number"), change);
        Assert.True(functions.TryGetFunction("monthsBetween", out var months));
        Assert.Equal(new RuleFunctionSignature("monthsBetween", 3, "integer"), months);
        Assert.True(functions.TryGetFunction("untyped", out var untyped));
        Assert.Equal("any", untyped.ReturnType);
        Assert.Equal(["behaviourChange", "monthsBetween", "untyped"], functions.FunctionNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_IgnoresJsDoc_WhenItIsNotDirectlyAboveTheFunction()
    {
        var functions = LoadOrFail("/** @returns {number} */\nvar rate = 1;\nfunction f() { return rate; }");

        Assert.True(functions.TryGetFunction("f", out var signature));
        Assert.Equal("any", signature.ReturnType);
    }

    [Fact]
    public void Load_RefusesAccessorsInTopLevelConstants()
    {
        var diagnostics = LoadFails("var table = { get size() { return 1; } };\nfunction f() { return table.size; }");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ScriptDiagnosticCodes.TopLevelCodeNotAllowed, diagnostic.Code);
        Assert.Equal((1, 15), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Fact]
    public void Load_ReportsTopLevelFailure_WhenAConstantThrows()
    {
        var diagnostics = LoadFails("var missing = {}.a.b;\nfunction f() { return 1; }");

        Assert.Equal(ScriptDiagnosticCodes.TopLevelFailed, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Load_AcceptsCapitalisedJsDocTypes()
    {
        var functions = LoadOrFail("/** @return {Number} */ function f() { return 1; }");

        Assert.True(functions.TryGetFunction("f", out var signature));
        Assert.Equal("number", signature.ReturnType);
    }

    [Fact]
    public void TryGetFunction_ReturnsFalse_WhenNameDiffersInCase()
    {
        var functions = LoadOrFail("function score() { return 1; }");

        Assert.False(functions.TryGetFunction("Score", out _));
    }

    [Fact]
    public void Load_ReportsUnknownReturnType_AtTheTag()
    {
        var diagnostics = LoadFails("\n/** @returns {money} */\nfunction pay() { return 1; }");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ScriptDiagnosticCodes.UnknownReturnType, diagnostic.Code);
        Assert.Equal((2, 5), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Contains("money", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsSyntaxError_WithLineAndColumn()
    {
        var diagnostics = LoadFails("function ok() { return 1; }\nfunction broken(a b) { }");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ScriptDiagnosticCodes.SyntaxError, diagnostic.Code);
        Assert.Equal(Path + ":2:19: error CCR0402: Unexpected identifier 'b' (functions are ECMAScript 2024 in strict mode; see docs/javascript-functions.md)", diagnostic.ToString());
    }

    [Theory]
    [InlineData("function f(x) { with (x) { return a; } }", "with (not strict mode)")]
    [InlineData("function f(x) { return x +* 1; }", "a plain typo")]
    [InlineData("function f(x) { return 010; }", "a legacy octal literal (not strict mode)")]
    [InlineData("function f(x) { return x |> g; }", "a pipeline (not ECMAScript 2024)")]
    public void Load_ReportsTheSupportedLanguageLevel_WithASyntaxError(string source, string what)
    {
        var diagnostic = Assert.Single(LoadFails(source));

        Assert.True(ScriptDiagnosticCodes.SyntaxError == diagnostic.Code, $"{what}: {diagnostic}");
        Assert.EndsWith("(functions are ECMAScript 2024 in strict mode; see docs/javascript-functions.md)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("async function f(x) { return x; }", 1, 1)]
    [InlineData("function f(xs) { return xs.map(async (x) => x); }", 1, 32)]
    [InlineData("function f(x) {\n  return 10n ** 2n;\n}", 2, 10)]
    [InlineData("function f(x) { return import(\"./other.js\"); }", 1, 24)]
    public void Load_RefusesFeaturesTheSandboxDoesNotRun_WithTheirPlace(string source, int line, int column)
    {
        Assert.Contains(LoadFails(source), d => d.Code == ScriptDiagnosticCodes.FeatureNotAllowed && (d.Location.Line, d.Location.Column) == (line, column));
    }

    [Theory]
    [InlineData("let counter = 0;\nfunction f() { return counter; }", "let")]
    [InlineData("class Money { }\nfunction f() { return 1; }", "class")]
    [InlineData("const { a, b } = { a: 1, b: 2 };\nfunction f() { return a; }", "destructuring")]
    [InlineData("const pattern = /a+/g;\nfunction f(s) { return pattern.test(s); }", "a RegExp constant")]
    public void Load_RefusesTopLevelDeclarationsThatCouldKeepState(string source, string what)
    {
        var diagnostic = Assert.Single(LoadFails(source));

        Assert.True(ScriptDiagnosticCodes.TopLevelCodeNotAllowed == diagnostic.Code, $"{what}: {diagnostic}");
    }

    [Fact]
    public void Invoke_RunsModernJavaScript()
    {
        var functions = LoadOrFail("""
            const rates = { low: 0.5, high: 2 };
            const label = `rate`;

            /** @returns {string} */
            const describe = ({ name, scores = [] }, ...extra) => {
                class Tally {
                    #sum = 0;
                    add(x) { this.#sum += x; return this; }
                    get total() { return this.#sum; }
                }
                const tally = scores.reduce((t, x) => t.add(x), new Tally());
                const [first, ...rest] = scores;
                function* pairs() { for (const [k, v] of Object.entries(rates)) { yield `${k}=${v}`; } }
                outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j === 1) { continue outer; } } }
                const seen = new Map([[name, tally.total]]);
                return `${name}:${tally.total}:${first}:${rest.length}:${[...pairs()].join("&")}:${extra.length}:${seen.get(name)}:${label}:${rates?.missing?.x ?? "none"}`;
            };

            /** @returns {number} */
            const twice = function (x = 1) { return x * 2; };
            """);

        Assert.True(functions.TryGetFunction("describe", out var describe));
        Assert.Equal(new RuleFunctionSignature("describe", 1, "string"), describe);
        var person = new Dictionary<string, object?> { ["name"] = "Ada", ["scores"] = new List<object?> { 1L, 2L, 3L } };
        Assert.Equal("Ada:6:1:2:low=0.5&high=2:1:6:rate:none", functions.Invoke("describe", [person, "x"]));
        Assert.Equal(8m, functions.Invoke("twice", [4L]));
    }

    [Fact]
    public void Invoke_FlattensAsJavaScriptDoes_AndRefusesNestingPastTheRecursionLimit()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxRecursionDepth = 10 };
        var functions = LoadOrFail("""
            function nested(n, depth) { let a = [n]; for (let i = 0; i < n; i++) { a = [a, i]; } return a.flat(depth).length; }
            function cyclic() { const a = [1]; a.push(a); return a.flat(Infinity).length; }
            """, options);

        Assert.Equal(11m, functions.Invoke("nested", [10L, 1000L]));
        Assert.Equal(2m, functions.Invoke("nested", [30L, null]));
        Assert.Equal(12m, functions.Invoke("nested", [30L, 10L]));
        Assert.Contains("nested more than 10 levels", Assert.Throws<RuleFunctionException>(() => functions.Invoke("nested", [11L, 1000L])).Message, StringComparison.Ordinal);
        Assert.Contains("nested more than 10 levels", Assert.Throws<RuleFunctionException>(() => functions.Invoke("cyclic", [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_CannotChangeATopLevelConstForTheNextCall()
    {
        var functions = LoadOrFail("""
            const table = { rates: [1, 2] };
            /** @returns {integer} */
            function bump() { try { table.rates.push(3); } catch (e) { } try { table.extra = 1; } catch (e) { } return table.rates.length + (table.extra ?? 0); }
            """);

        Assert.Equal(2L, functions.Invoke("bump", []));
        Assert.Equal(2L, functions.Invoke("bump", []));
    }

    [Theory]
    [InlineData("\"x\".repeat(2 ** 29)", "the limit is 1000000")]
    [InlineData("Date.now()", "read the clock")]
    [InlineData("(() => { for (;;) { } })()", "statements")]
    [InlineData("(() => { let s = \"x\"; for (;;) { s = s + s; } })()", "memory limit")]
    [InlineData("new RegExp(\"a\".repeat(2000))", "the limit is 1000")]
    public void Invoke_LimitsCannotBeCaughtByTheScript(string expression, string reason)
    {
        var functions = LoadOrFail($"function f() {{ try {{ return {expression}; }} catch (e) {{ return \"caught\"; }} finally {{ }} }}");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("f", []));
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_KeepsBuiltInsWorking_ThroughTheirGuards()
    {
        var functions = LoadOrFail("""
            /** @returns {string} */
            function f() {
                class A { }
                const a = new A(), bound = Math.max.bind(null, 1);
                const iterated = [];
                for (const [k, v] of new Map([["k", [1, 2].values()]])) { iterated.push(k, ...v); }
                return [a instanceof A, [] instanceof Array, bound(5), iterated.join(""), [1, 2].values === [][Symbol.iterator],
                        "a,b".split(",").length, "abc".at(-1), Object.entries({ x: 1 }).flat().join("=")].join(" ");
            }
            """);

        Assert.Equal("true true 5 k12 true 2 c x=1", functions.Invoke("f", []));
    }

    [Fact]
    public void Invoke_GivesEachCallAFreshRegexLiteral()
    {
        var functions = LoadOrFail("""
            /** @returns {integer} */
            function next(s) { const re = /a/g; re.test(s); return re.lastIndex; }
            """);

        Assert.Equal(1L, functions.Invoke("next", ["aaa"]));
        Assert.Equal(1L, functions.Invoke("next", ["aaa"]));
    }

    [Theory]
    [InlineData("function f(x) {\n  return x + 1;\n", 3, 1)]
    [InlineData("/**\n * The change from a baseline.\n * @param {number} base", 3, 24)]
    [InlineData("function f(x) { return \"unclosed", 1, 33)]
    public void Load_SaysUnexpectedEndOfFile_WhenTheFileIsCutOff(string source, int line, int column)
    {
        var diagnostic = Assert.Single(LoadFails(source));

        Assert.Equal($"{Path}:{line}:{column}: error CCR0402: Unexpected end of file: a comment, string, function or block is still open", diagnostic.ToString());
    }

    [Fact]
    public void Load_AcceptsEcmaScript51_InStrictMode()
    {
        var functions = LoadOrFail("""
            "use strict";
            var limits = { low: 1, high: [2, 3] };
            function f(x) {
                var total = 0, i;
                for (i = 0; i < limits.high.length; i++) { total += limits.high[i]; }
                var o = { get twice() { return x * 2; } };
                return [x].map(function (y) { return y + total; }).filter(Boolean).length + o.twice + Object.keys(limits).length;
            }
            """);

        Assert.True(functions.TryGetFunction("f", out _));
    }

    [Fact]
    public void Load_ReportsDuplicateName()
    {
        var diagnostics = LoadFails("function f() { return 1; }\nfunction f() { return 2; }");

        Assert.Equal(ScriptDiagnosticCodes.DuplicateName, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Load_RefusesSource_WhenLongerThanLimit()
    {
        var source = "function f() { return 1; }" + new string(' ', 100);
        var options = JavaScriptFunctionOptions.Default with { MaxSourceLength = 50 };

        Assert.Null(JavaScriptFunctions.Load(Path, source, out var diagnostics, options));
        Assert.Equal(ScriptDiagnosticCodes.SourceTooLarge, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Load_AcceptsConstantTables_AndFunctionsCanReadThem()
    {
        var functions = LoadOrFail("""
            "use strict";
            var rates = { low: 0.5, high: [1, 2 * 3] }, threshold = -rates.low;
            /** @returns {number} */
            function rate(kind) { return kind === "low" ? rates.low : rates.high[1] + threshold; }
            """);

        Assert.Equal(0.5m, functions.Invoke("rate", ["low"]));
        Assert.Equal(5.5m, functions.Invoke("rate", ["high"]));
    }

    [Fact]
    public void Invoke_ComputesBehaviourChange_AsDecimal()
    {
        var functions = LoadOrFail("""
            /** @returns {number} */
            function behaviourChange(baseline, followUp) { return (followUp - baseline) / baseline; }
            """);

        Assert.Equal(0.2m, functions.Invoke("behaviourChange", [10L, 12m]));
    }

    [Fact]
    public void Invoke_ReturnsDecimalWithFifteenDigits_WhenDoubleArithmeticIsInexact()
    {
        var functions = LoadOrFail("function sum() { return 0.1 + 0.2; }");

        Assert.Equal(0.3m, functions.Invoke("sum", []));
    }

    [Fact]
    public void Invoke_ReturnsLong_WhenDeclaredInteger()
    {
        var functions = LoadOrFail("/** @returns {integer} */ function twice(x) { return x * 2; }");

        var result = functions.Invoke("twice", [21L]);

        Assert.IsType<long>(result);
        Assert.Equal(42L, result);
    }

    [Fact]
    public void Invoke_Throws_WhenDeclaredIntegerReturnsFraction()
    {
        var functions = LoadOrFail("/** @returns {integer} */ function half(x) { return x / 2; }");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("half", [3L]));
        Assert.Contains("integer", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenResultDoesNotMatchDeclaredType()
    {
        var functions = LoadOrFail("/** @returns {boolean} */ function yes() { return \"yes\"; }");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("yes", []));
        Assert.Contains("@returns {boolean}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_ReturnsNull_WhenFunctionReturnsUndefined()
    {
        var functions = LoadOrFail("/** @returns {number} */ function nothing() { }");

        Assert.Null(functions.Invoke("nothing", []));
    }

    [Fact]
    public void Invoke_MarshalsNestedValuesBothWays()
    {
        var functions = LoadOrFail("""
            function echo(record) {
                return { name: record.name, scores: record.scores, missing: record.missing, flag: !record.flag, count: record.scores.length };
            }
            """);
        var record = new Dictionary<string, object?>
        {
            ["name"] = "Ada",
            ["scores"] = new List<object?> { 1L, 2.5m, null },
            ["missing"] = null,
            ["flag"] = false,
        };

        var result = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(functions.Invoke("echo", [record]));

        Assert.Equal("Ada", result["name"]);
        Assert.Equal(new List<object?> { 1m, 2.5m, null }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(result["scores"]));
        Assert.Null(result["missing"]);
        Assert.Equal(true, result["flag"]);
        Assert.Equal(3m, result["count"]);
    }

    [Fact]
    public void Invoke_ReturnsClassInstancesAsPlainData_AndRefusesOtherObjects()
    {
        var functions = LoadOrFail("""
            function point() { class Point { #secret = 1; constructor() { this.x = 2; this.y = 4; } } return new Point(); }
            function map() { return new Map([["a", 1]]); }
            function error() { return new RangeError("not data"); }
            """);

        var point = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(functions.Invoke("point", []));
        Assert.Equal(new Dictionary<string, object?> { ["x"] = 2m, ["y"] = 4m }, point);
        Assert.Contains("a Map object", Assert.Throws<RuleFunctionException>(() => functions.Invoke("map", [])).Message, StringComparison.Ordinal);
        Assert.Contains("not a rule value", Assert.Throws<RuleFunctionException>(() => functions.Invoke("error", [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_TreatsDatesAsUtc_AndReturnsUtcDateTime()
    {
        var functions = LoadOrFail("""
            /** @returns {date} */
            function addMonths(date, months) {
                return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, date.getUTCDate()));
            }
            /** @returns {integer} */
            function localParts(date) { return date.getHours() * 100 + date.getTimezoneOffset(); }
            """);
        var asOf = new DateTime(2022, 6, 1);

        var result = functions.Invoke("addMonths", [asOf, 6L]);

        Assert.Equal(new DateTime(2022, 12, 1, 0, 0, 0, DateTimeKind.Utc), result);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)result!).Kind);
        Assert.Equal(0L, functions.Invoke("localParts", [new DateTime(2022, 6, 1, 0, 0, 0, DateTimeKind.Utc)]));
    }

    [Fact]
    public void Invoke_FormatsNumbersWithInvariantCulture()
    {
        var functions = LoadOrFail("function text(x) { return x.toFixed(2) + \"|\" + parseFloat(\"1.5\") + \"|\" + x; }");

        Assert.Equal("1234.50|1.5|1234.5", functions.Invoke("text", [1234.5m]));
    }

    [Fact]
    public void Invoke_UsesInvariantCulture_WhenCallerThreadIsTurkish()
    {
        var functions = LoadOrFail("function shout(s) { return s.toLocaleUpperCase(); }");
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("tr-TR");
        try
        {
            Assert.Equal("TİTLE", "title".ToUpper(CultureInfo.CurrentCulture));
            Assert.Equal("TITLE", functions.Invoke("shout", ["title"]));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Invoke_KeepsJavaScriptPlusSemantics()
    {
        var functions = LoadOrFail("""
            function dateText() { return new Date(0) + 1; }
            function valueOf() { var o = { valueOf: function () { return 41; } }; return o + 1; }
            function compound() { var x = { n: "a" }, k = "n", i = 1; x.n += "b"; x[k] += 1; i += 2; return x.n + i; }
            function arrays() { return [1, 2] + [3]; }
            """);

        Assert.Equal("Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)1", functions.Invoke("dateText", []));
        Assert.Equal(42m, functions.Invoke("valueOf", []));
        Assert.Equal("ab13", functions.Invoke("compound", []));
        Assert.Equal("1,23", functions.Invoke("arrays", []));
    }

    [Fact]
    public void Invoke_Throws_WhenMemoryLimitExceeded()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxMemoryBytes = 1024 * 1024 };
        var functions = LoadOrFail("/** @returns {integer} */ function grow(n) { let s = \"x\"; for (let i = 0; i < n; i++) { s = s + s; } return s.length; }", options);

        Assert.Equal(1024L, functions.Invoke("grow", [10L]));
        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("grow", [30L]));
        Assert.Contains("memory limit", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"ab\".repeat(51)")]
    [InlineData("\"x\".padEnd(101)")]
    [InlineData("\"x\".padStart(101, \"ab\")")]
    [InlineData("\"x\".repeat(50).replace(new RegExp(\"x\", \"g\"), \"yyy\")")]
    [InlineData("\"x\".repeat(50).replaceAll(\"x\", \"$&$&$&\")")]
    [InlineData("\"ab\".concat(\"x\".repeat(99))")]
    public void Invoke_Throws_WhenABuiltInWouldBuildTooLongAString(string expression)
    {
        var options = JavaScriptFunctionOptions.Default with { MaxStringLength = 100 };
        var functions = LoadOrFail($"function f() {{ return {expression}; }}", options);

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("f", []));
        Assert.Contains("the limit is 100", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_BuildsStringsUpToTheLimit_AsJavaScriptDoes()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxStringLength = 100 };
        var functions = LoadOrFail("""
            function f() {
                return ["ab".repeat(50).length, "7".padStart(3, "0"), "7".padEnd(4, "ab"), "a-b-c".replace(new RegExp("-", "g"), "$&$&"),
                        "x".replaceAll("x", "$$"), "abc".replace("b", "[$`|$']"), [1, [2, 3]].toLocaleString()].join(" ");
            }
            """, options);

        Assert.Equal("100 007 7aba a--b--c $ a[a|c]c 1,2,3", functions.Invoke("f", []));
    }

    [Fact]
    public void Invoke_JoinsAndConcatenatesAsJavaScriptDoes()
    {
        var functions = LoadOrFail("""
            function joined() { return [1, null, undefined, "a", [2, 3]].join("-") + "|" + [1, 2].join() + "|" + String([1, [2, 3]]) + "|" + [].join(); }
            function concatenated() { return "a".concat(1, null, [2, 3]); }
            """);

        Assert.Equal("1---a-2,3|1,2|1,2,3|", functions.Invoke("joined", []));
        Assert.Equal("a1null2,3", functions.Invoke("concatenated", []));
    }

    [Fact]
    public void Invoke_Throws_WhenJoinWouldBuildTooLongAString()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxStringLength = 100 };
        var functions = LoadOrFail("function repeat(n) { return new Array(n + 1).join(\"xy\"); }", options);

        Assert.Equal(100, ((string)functions.Invoke("repeat", [50L])!).Length);
        Assert.Throws<RuleFunctionException>(() => functions.Invoke("repeat", [51L]));
    }

    [Fact]
    public void Invoke_EvaluatesACompoundAssignmentTargetOnce()
    {
        var functions = LoadOrFail("/** @returns {string} */ function f() { const a = [\"x\", \"y\"]; let i = 0; a[i++] += \"!\"; return a.join() + i; }");

        Assert.Equal("x!,y1", functions.Invoke("f", []));
    }

    [Fact]
    public void Invoke_AllowsRegularExpressionsThroughTheConstructor()
    {
        var functions = LoadOrFail("""
            /** @returns {boolean} */
            function isCaseNumber(s) { return new RegExp("^[A-Z]{2}-\\d{4}$").test(s); }
            function digits(s) { return s.replace(new RegExp("\\D", "g"), ""); }
            """);

        Assert.Equal(true, functions.Invoke("isCaseNumber", ["AB-1234"]));
        Assert.Equal(false, functions.Invoke("isCaseNumber", ["AB-12"]));
        Assert.Equal("1234", functions.Invoke("digits", ["AB-12/34"]));
    }

    [Fact]
    public void Invoke_Throws_WhenStatementLimitExceeded()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxStatements = 1_000 };
        var functions = LoadOrFail("function count(n) { var s = 0; for (var i = 0; i < n; i++) { s += i; } return s; }", options);

        Assert.Equal(45m, functions.Invoke("count", [10L]));
        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("count", [10_000L]));
        Assert.Contains("more than 1000 statements", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenTimeLimitExceeded()
    {
        // The loop never ends, so any limit proves the point; 300 ms rather than less keeps the load and the first
        // call's set-up on a busy CI machine well inside it.
        var options = JavaScriptFunctionOptions.Default with { MaxStatements = int.MaxValue, Timeout = TimeSpan.FromMilliseconds(300) };
        var functions = LoadOrFail("function spin() { for (;;) { } }", options);

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("spin", []));
        Assert.Contains("ran longer than 300 ms", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenRecursionLimitExceeded()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxRecursionDepth = 10 };
        var functions = LoadOrFail("/** @returns {integer} */ function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }", options);

        Assert.Equal(8L, functions.Invoke("depth", [8L]));
        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("depth", [20L]));
        Assert.Contains("recursed more than 10 levels", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenRecursionThroughGettersExceedsTheLimit()
    {
        var functions = LoadOrFail("function loop() { var o = { get x() { return this.x; } }; return o.x; }");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("loop", []));
        Assert.Contains("recursed more than 64 levels", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenBuiltInsCallEachOtherInACycle()
    {
        // Jint counts the guarded built-ins on the call stack like script functions, so the cycle meets the
        // recursion limit; with that limit out of reach, the stack budget stops it.
        const string Source = "function loop() { const o = {}; Object.defineProperty(o, \"toString\", { value: Object.prototype.toLocaleString }); return String(o); }";
        var counted = LoadOrFail(Source);
        var uncounted = LoadOrFail(Source, JavaScriptFunctionOptions.Default with { MaxRecursionDepth = 1_000_000 });

        Assert.Contains("recursed more than 64 levels", Assert.Throws<RuleFunctionException>(() => counted.Invoke("loop", [])).Message, StringComparison.Ordinal);
        Assert.Contains("stack budget", Assert.Throws<RuleFunctionException>(() => uncounted.Invoke("loop", [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenRegexMatchTimesOut()
    {
        var options = JavaScriptFunctionOptions.Default with { RegexTimeout = TimeSpan.FromMilliseconds(20) };
        var functions = LoadOrFail("function evil(s) { return new RegExp(\"^(a+)+$\").test(s); }", options);

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("evil", [new string('a', 40) + "!"]));
        Assert.Contains("regular expression", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenRegexPatternIsTooLong()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxRegexLength = 10 };
        var functions = LoadOrFail("function re(p) { return new RegExp(p).test(\"a\"); }", options);

        Assert.Equal(true, functions.Invoke("re", ["^a$"]));
        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("re", ["^(a|b|c|d)$"]));
        Assert.Contains("pattern is 11 characters long", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_ReadsRegexPatternOnce_SoItCannotChangeAfterTheLengthCheck()
    {
        var functions = LoadOrFail("""
            /** @returns {string} */
            function build() {
                var reads = 0;
                var pattern = { toString: function () { reads++; return reads === 1 ? "a" : new Array(5001).join("(a|a)"); } };
                var re = new RegExp(pattern);
                return re.source + "/" + reads;
            }
            """);

        Assert.Equal("a/1", functions.Invoke("build", []));
    }

    [Fact]
    public void Invoke_ReportsThrownErrorWithScriptLocation()
    {
        var functions = LoadOrFail("function ok() { return 1; }\nfunction check(x) {\n  if (x < 0) { throw new RangeError(\"negative baseline\"); }\n  return x;\n}");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("check", [-1L]));

        Assert.StartsWith(Path + ":3:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("RangeError: negative baseline", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_KeepsWorking_AfterAFailedCall()
    {
        var functions = LoadOrFail("function safeDivide(a, b) { if (b === 0) { throw new Error(\"division by zero\"); } return a / b; }");

        Assert.Throws<RuleFunctionException>(() => functions.Invoke("safeDivide", [1L, 0L]));
        Assert.Equal(0.5m, functions.Invoke("safeDivide", [1L, 2L]));
    }

    [Fact]
    public void Invoke_RefusesWritesToTopLevelConstants_SoCallsCannotShareState()
    {
        var functions = LoadOrFail("var seen = { count: 0 };\nfunction visit() { seen.count = seen.count + 1; return seen.count; }");

        Assert.Throws<RuleFunctionException>(() => functions.Invoke("visit", []));
        Assert.Throws<RuleFunctionException>(() => functions.Invoke("visit", []));
    }

    [Fact]
    public void Invoke_AllowsAssigningErrorNameAndMessage_ThoughPrototypesAreFrozen()
    {
        var functions = LoadOrFail("function describe() { var e = new Error(\"m\"); e.name = \"Custom\"; e.message = \"changed\"; return String(e); }");

        Assert.Equal("Custom: changed", functions.Invoke("describe", []));
    }

    [Fact]
    public void Invoke_Throws_WhenFunctionIsUnknown()
    {
        var functions = LoadOrFail("function f() { return 1; }");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("g", []));
        Assert.Contains("no function 'g'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenArgumentIsNotARuleValue()
    {
        var functions = LoadOrFail("function f(x) { return x; }");

        var exception = Assert.Throws<RuleFunctionException>(() => functions.Invoke("f", [Guid.Empty]));
        Assert.Contains("Guid", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_Throws_WhenArgumentNestsTooDeep()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxValueDepth = 4 };
        var functions = LoadOrFail("function f(x) { return 1; }", options);
        object? nested = 1L;
        for (var i = 0; i < 10; i++)
        {
            nested = new List<object?> { nested };
        }

        Assert.Throws<RuleFunctionException>(() => functions.Invoke("f", [nested]));
    }

    [Fact]
    public void Invoke_GivesSameResults_WhenCalledFromManyThreads()
    {
        var functions = LoadOrFail("/** @returns {integer} */ function square(x) { var r = 0; for (var i = 0; i < x; i++) { r += x; } return r; }");
        var results = new long[200];

        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = (long)functions.Invoke("square", [(long)i])!);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i * i), results);
    }

    [Fact]
    public void Invoke_KeepsBenignResultsCorrect_WhileFailingCallsRunInParallel()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxStatements = 2_000 };
        var functions = LoadOrFail("""
            /** @returns {integer} */
            function triple(x) { return 3 * x; }
            function spin() { for (;;) { } }
            function climb() { var o = { get x() { return this.x; } }; return o.x; }
            function fail(x) { throw new Error("bad " + x); }
            """, options);
        var hostile = new[] { "spin", "climb", "fail" };
        var results = new long?[300];

        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
        {
            if (i % 2 == 0)
            {
                results[i] = (long?)functions.Invoke("triple", [(long)i]);
            }
            else
            {
                Assert.Throws<RuleFunctionException>(() => functions.Invoke(hostile[i % 3], [(long)i]));
            }
        });

        Assert.All(Enumerable.Range(0, results.Length).Where(i => i % 2 == 0), i => Assert.Equal(3L * i, results[i]));
    }

    [Fact]
    public void LoadAndInvoke_MoveToOwnThread_WhenCallerStackIsSmall()
    {
        const string Source = """
            /** @returns {integer} */
            function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }
            function loop() { var o = { get x() { return this.x; } }; return o.x; }
            """;
        object? result = null;
        Exception? failure = null;

        // 256 KiB is less than one call's stack budget; without moving, the getter loop would overflow this thread.
        var thread = new Thread(
            () =>
            {
                var functions = JavaScriptFunctions.Load(Path, Source, out _)!;
                result = functions.Invoke("depth", [50L]);
                failure = Record.Exception(() => functions.Invoke("loop", []));
            },
            256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal(50L, result);
        Assert.IsType<RuleFunctionException>(failure);
    }

    [Fact]
    public void Options_Validate_NamesTheBadValue()
    {
        var options = JavaScriptFunctionOptions.Default with { MaxStatements = 0 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(JavaScriptFunctionOptions.MaxStatements), exception.ParamName);
    }

    private static JavaScriptFunctions LoadOrFail(string source, JavaScriptFunctionOptions? options = null)
    {
        var functions = JavaScriptFunctions.Load(Path, source, out var diagnostics, options);
        Assert.Empty(diagnostics);
        return Assert.IsType<JavaScriptFunctions>(functions);
    }

    private static IReadOnlyList<Diagnostic> LoadFails(string source)
    {
        Assert.Null(JavaScriptFunctions.Load(Path, source, out var diagnostics));
        Assert.NotEmpty(diagnostics);
        return diagnostics;
    }
}
