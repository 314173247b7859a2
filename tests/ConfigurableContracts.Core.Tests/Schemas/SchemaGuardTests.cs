using System.Text.Json;
using ConfigurableContracts.Core.Templates.Schemas;
using ConfigurableContracts.Rules;

namespace ConfigurableContracts.Core.Tests.Schemas;

public sealed class SchemaGuardTests : IDisposable
{
    private readonly TemplateFolder _folder = new();
    private readonly SchemaGuard _guard = new();

    public void Dispose() => _folder.Dispose();

    private async Task<SchemaLoadResult> LoadAsync(string schema, SchemaGuard? guard = null)
    {
        var path = _folder.Write("participant.schema.json", schema);
        return await (guard ?? _guard).LoadAsync(_folder.Root, path);
    }

    private async Task<GuardedSchema> LoadValidAsync(string schema)
    {
        var result = await LoadAsync(schema);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Schema!;
    }

    private static Diagnostic Single(SchemaLoadResult result, string code)
    {
        Assert.False(result.Succeeded);
        return Assert.Single(result.Diagnostics, d => d.Code == code);
    }

    [Fact]
    public async Task Load_RefusesUnknownKeyword_WithPointerLineAndColumn()
    {
        var result = await LoadAsync("""
            {
              "type": "object",
              "properties": {
                "age": { "type": "integer", "minimun": 0 }
              }
            }
            """);

        var diagnostic = Single(result, SchemaDiagnosticCodes.UnsupportedKeyword);
        Assert.Equal("/properties/age/minimun", diagnostic.JsonPointer);

        // Where the keyword's value starts, as every other diagnostic counts; not where Newtonsoft marks the end of its token.
        Assert.Equal((4, 44), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Contains("'minimun'", diagnostic.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Path.Combine(_folder.Root, "participant.schema.json")}:4:", diagnostic.ToString(), StringComparison.Ordinal);
        Assert.Contains(": error CCT0005: keyword 'minimun' at /properties/age", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contentMediaType", "\"application/json\"")]
    [InlineData("$defs", "{}")]
    [InlineData("unevaluatedProperties", "false")]
    public async Task Load_RefusesKeywordItDoesNotEnforce_NamingIt(string keyword, string value)
    {
        var result = await LoadAsync($$"""{ "type": "string", "{{keyword}}": {{value}} }""");

        var diagnostic = Single(result, SchemaDiagnosticCodes.UnsupportedKeyword);
        Assert.Contains($"'{keyword}'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_RefusesUnsupportedFormat()
    {
        var result = await LoadAsync("""{ "properties": { "mail": { "type": "string", "format": "email" } } }""");

        Assert.Equal("/properties/mail/format", Single(result, SchemaDiagnosticCodes.UnsupportedFormat).JsonPointer);
    }

    [Theory]
    [InlineData("http://localhost:1234/integer.json")]
    [InlineData("https://example.org/schemas/contract.json#/definitions/money")]
    [InlineData("../elsewhere/money.schema.json")]
    [InlineData("nested/../../elsewhere/money.schema.json")]
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    public async Task Load_RefusesReference_WhenItLeavesTheTemplateFolder(string reference)
    {
        _folder.Write("../elsewhere/money.schema.json", """{ "type": "number" }""");

        var result = await LoadAsync($$"""{ "properties": { "price": { "$ref": "{{reference}}" } } }""");

        Assert.Equal("/properties/price/$ref", Single(result, SchemaDiagnosticCodes.RefusedReference).JsonPointer);
    }

    [Fact]
    public async Task Load_RefusesReference_ThroughSymbolicLinkLeavingTheFolder()
    {
        var outside = _folder.Write("../elsewhere/money.schema.json", """{ "type": "number" }""");
        File.CreateSymbolicLink(Path.Combine(_folder.Root, "money.schema.json"), outside);

        var result = await LoadAsync("""{ "properties": { "price": { "$ref": "money.schema.json" } } }""");

        Single(result, SchemaDiagnosticCodes.RefusedReference);
    }

    [Fact]
    public async Task Load_ResolvesRelativeFileReference_InsideTheTemplateFolder()
    {
        _folder.Write("common/money.schema.json", """{ "definitions": { "amount": { "type": "number", "minimum": 0 } } }""");

        var schema = await LoadValidAsync("""{ "properties": { "price": { "$ref": "common/money.schema.json#/definitions/amount" } } }""");

        Assert.Empty(schema.Validate("""{ "price": 10 }"""));
        Assert.Equal("$.price", Assert.Single(schema.Validate("""{ "price": -1 }""")).Path);
        Assert.Equal(2, schema.Files.Count);
    }

    [Fact]
    public async Task Load_EnforcesBooleanSubschemasAndWholeNumberCounts_WrittenAsDecimals()
    {
        var schema = await LoadValidAsync("""{ "properties": { "anything": true, "nothing": false, "code": { "maxLength": 2.0 } } }""");

        Assert.Equal("$.nothing", Assert.Single(schema.Validate("""{ "anything": 1, "nothing": 1 }""")).Path);
        Assert.Empty(schema.Validate("""{ "anything": [], "code": "AB" }"""));
        Assert.Equal("$.code", Assert.Single(schema.Validate("""{ "code": "ABC" }""")).Path);
    }

    [Fact]
    public async Task Load_RefusesSchemaFile_OutsideTheTemplateFolder()
    {
        var outside = _folder.Write("../elsewhere/contract.schema.json", "{}");

        var result = await _guard.LoadAsync(_folder.Root, outside);

        Single(result, SchemaDiagnosticCodes.RefusedReference);
    }

    [Fact]
    public async Task Load_RefusesReferenceToMissingDefinition()
    {
        var result = await LoadAsync("""{ "$ref": "#/definitions/nowhere" }""");

        Single(result, SchemaDiagnosticCodes.UnresolvedReference);
    }

    [Fact]
    public async Task Load_RefusesKeywordBesideRef_BecauseDraftSevenIgnoresIt()
    {
        var result = await LoadAsync("""{ "definitions": { "a": { "type": "string" } }, "properties": { "x": { "$ref": "#/definitions/a", "maxLength": 3 } } }""");

        Assert.Contains("'maxLength'", Single(result, SchemaDiagnosticCodes.IgnoredBesideRef).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_RefusesSchemaThatRefersToItselfInPlace()
    {
        var result = await LoadAsync("""{ "definitions": { "a": { "allOf": [ { "$ref": "#/definitions/b" } ] }, "b": { "$ref": "#/definitions/a" } }, "$ref": "#/definitions/a" }""");

        Single(result, SchemaDiagnosticCodes.ReferenceCycle);
    }

    [Fact]
    public async Task Load_RefusesLongInPlaceReferenceChain()
    {
        var definitions = string.Join(",", Enumerable.Range(0, 40).Select(i => $$"""
            "d{{i}}": { "$ref": "#/definitions/d{{i + 1}}" }
            """));
        var result = await LoadAsync($$"""{ "definitions": { {{definitions}}, "d40": { "type": "string" } }, "$ref": "#/definitions/d0" }""");

        Single(result, SchemaDiagnosticCodes.ReferenceCycle);
    }

    [Theory]
    [InlineData("1e40")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public async Task Load_RefusesCount_ThatIsNotANonNegativeInteger(string count)
    {
        Single(await LoadAsync($$"""{ "maxLength": {{count}} }"""), SchemaDiagnosticCodes.InvalidKeywordValue);
    }

    [Fact]
    public async Task Load_AcceptsRecursiveSchema_ThatDescendsIntoTheDocument()
    {
        var schema = await LoadValidAsync("""{ "type": "object", "properties": { "child": { "$ref": "#" }, "n": { "type": "integer" } } }""");

        Assert.Equal("$.child.child.n", Assert.Single(schema.Validate("""{ "child": { "child": { "n": "x" } } }""")).Path);
    }

    [Fact]
    public async Task Load_RefusesFile_WhenLargerThanTheLimit()
    {
        var guard = new SchemaGuard(new SchemaGuardOptions { MaxSchemaBytes = 64 });

        var result = await LoadAsync($$"""{ "description": "{{new string('x', 100)}}" }""", guard);

        Single(result, SchemaDiagnosticCodes.FileTooLarge);
    }

    [Fact]
    public async Task Load_RefusesFile_WhenNestedDeeperThanTheLimit()
    {
        var guard = new SchemaGuard(new SchemaGuardOptions { MaxSchemaDepth = 8 });
        var deep = string.Concat(Enumerable.Repeat("{ \"not\": ", 10)) + "{}" + new string('}', 10);

        var diagnostic = Single(await LoadAsync(deep, guard), SchemaDiagnosticCodes.TooDeep);

        Assert.Equal(1, diagnostic.Location.Line);
    }

    [Fact]
    public async Task Load_SaysUnexpectedEndOfFile_WhenTheSchemaIsCutOff()
    {
        var diagnostic = Single(await LoadAsync("{\n  \"type\": \"object\",\n  \"properties\": { \"år\": {"), SchemaDiagnosticCodes.InvalidJson);

        Assert.Equal("Unexpected end of file: 3 objects are still open.", diagnostic.Message);
        Assert.Equal((3, 26), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Fact]
    public async Task Load_CountsColumnsInCharacters_AfterNonAsciiText()
    {
        var deep = "{ \"description\": \"Åäö\", \"not\": " + string.Concat(Enumerable.Repeat("{ \"not\": ", 9)) + "{}" + new string('}', 10);

        var diagnostic = Single(await LoadAsync(deep, new SchemaGuard(new SchemaGuardOptions { MaxSchemaDepth = 8 })), SchemaDiagnosticCodes.TooDeep);

        // The ninth object starts at character 95; counted in UTF-8 bytes it would be 98.
        Assert.Equal((1, 95), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Fact]
    public async Task Load_ReportsAMissingFile_AtLineOneColumnOne()
    {
        var result = await _guard.LoadAsync(_folder.Root, Path.Combine(_folder.Root, "missing.schema.json"));

        var diagnostic = Single(result, SchemaDiagnosticCodes.FileUnreadable);
        Assert.Equal((1, 1), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Fact]
    public async Task Load_RefusesInvalidJson_WithLine()
    {
        var diagnostic = Single(await LoadAsync("{\n  \"type\": \"string\",\n  // comment\n}"), SchemaDiagnosticCodes.InvalidJson);

        Assert.Equal(3, diagnostic.Location.Line);
    }

    [Fact]
    public async Task Load_RefusesFile_ThatIsNotValidUtf8()
    {
        var path = _folder.Write("participant.schema.json", "{}");
        await File.WriteAllBytesAsync(path, [.. "{ \"description\": \""u8, 0xC3, 0x28, 0xFF, .. "\" }"u8]);

        Single(await _guard.LoadAsync(_folder.Root, path), SchemaDiagnosticCodes.InvalidJson);
    }

    [Fact]
    public async Task Load_RefusesDuplicateKeyword()
    {
        Single(await LoadAsync("""{ "type": "string", "type": "integer" }"""), SchemaDiagnosticCodes.InvalidJson);
    }

    [Theory]
    [InlineData("^\\\\p{Letter}+$")]
    [InlineData("^\\\\p{L}+$")]
    [InlineData("[\\\\P{Lu}]")]
    public async Task Load_RefusesPattern_ThatDotNetCannotRunWithEcmaMeaning(string pattern)
    {
        // \p{L} compiles in .NET's ECMAScript mode as a Unicode category, where ECMA-262 reads the letters "p{L}".
        Single(await LoadAsync($$"""{ "pattern": "{{pattern}}" }"""), SchemaDiagnosticCodes.InvalidPattern);
    }

    [Fact]
    public async Task Load_RefusesIdBelowTheRoot()
    {
        Single(await LoadAsync("""{ "properties": { "a": { "$id": "other.json", "type": "string" } } }"""), SchemaDiagnosticCodes.RefusedId);
    }

    [Fact]
    public async Task Load_RefusesOtherDraft()
    {
        Single(await LoadAsync("""{ "$schema": "https://json-schema.org/draft/2020-12/schema" }"""), SchemaDiagnosticCodes.UnsupportedDialect);
    }

    [Fact]
    public async Task Validate_ReportsJsonPathAndMessage_ForNestedValue()
    {
        var schema = await LoadValidAsync("""
            {
              "type": "object",
              "properties": {
                "providers": { "type": "array", "items": {
                  "type": "object",
                  "properties": { "prices": { "type": "object",
                    "properties": { "outcomePayment": { "type": "number", "minimum": 0 } } } } } }
              }
            }
            """);

        var error = Assert.Single(schema.Validate("""{ "providers": [ {}, {}, { "prices": { "outcomePayment": -5 } } ] }"""));

        Assert.Equal("$.providers[2].prices.outcomePayment", error.Path);
        Assert.Equal("must be at least 0", error.Message);
    }

    [Fact]
    public async Task Validate_ReportsMissingRequiredProperty_AtItsOwnPath()
    {
        var schema = await LoadValidAsync("""{ "type": "object", "required": ["pseudonym", "start date"] }""");

        var errors = schema.Validate("{}");

        Assert.Equal(["$.pseudonym", "$['start date']"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Equal("is required", e.Message));
    }

    [Fact]
    public async Task Validate_RejectsDateThatDoesNotExist()
    {
        var schema = await LoadValidAsync("""{ "type": "string", "format": "date" }""");

        Assert.Empty(schema.Validate("\"2024-02-29\""));
        Assert.Equal("is not a valid date (expected YYYY-MM-DD)", Assert.Single(schema.Validate("\"2022-02-30\"")).Message);
    }

    [Fact]
    public async Task Validate_CountsOnePointZero_AsInteger()
    {
        var schema = await LoadValidAsync("""{ "type": "integer" }""");

        Assert.Empty(schema.Validate("1.0"));
        Assert.Equal("expected integer but found number", Assert.Single(schema.Validate("1.5")).Message);
    }

    [Fact]
    public async Task Validate_EnforcesConstAndAdditionalPropertiesFalse()
    {
        var schema = await LoadValidAsync("""{ "properties": { "kind": { "const": "outcome" } }, "additionalProperties": false }""");

        var errors = schema.Validate("""{ "kind": "activity", "extra": 1 }""");

        Assert.Equal([("$.kind", "must be \"outcome\""), ("$.extra", "is not an allowed property here")], errors.Select(e => (e.Path, e.Message)));
    }

    [Fact]
    public async Task Validate_GivesUp_WhenPatternBacktracksCatastrophically()
    {
        var guard = new SchemaGuard(new SchemaGuardOptions { RegexTimeout = TimeSpan.FromMilliseconds(50) });
        var result = await LoadAsync("""{ "type": "string", "pattern": "^(\\w+\\s?)*$" }""", guard);
        var hostile = JsonSerializer.Serialize(string.Concat(Enumerable.Repeat("word ", 2000)) + "!");

        var error = Assert.Single(result.Schema!.Validate(hostile));

        Assert.Contains("in time", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^[0-9]{6}$", "\"123456\\n\"", false)]
    [InlineData("^a.b$", "\"a\\rb\"", false)]
    [InlineData("^a.b$", "\"a-b\"", true)]
    [InlineData("^\\s$", "\"\\u00a0\"", true)]
    [InlineData("^\\d$", "\"\\u0660\"", false)]
    [InlineData("^[$.]+$", "\"$.\"", true)]
    public async Task Validate_GivesPatternsTheirJavaScriptMeaning(string pattern, string document, bool valid)
    {
        var schema = await LoadValidAsync(JsonSerializer.Serialize(new { pattern }));

        Assert.Equal(valid, schema.Validate(document).Count == 0);
    }

    [Fact]
    public async Task Validate_StopsRunningPatterns_WhenTheDocumentsBudgetIsSpent()
    {
        var guard = new SchemaGuard(new SchemaGuardOptions { PatternBudgetPerDocument = TimeSpan.Zero });
        var result = await LoadAsync("""{ "items": { "pattern": "^a$" } }""", guard);

        var errors = result.Schema!.Validate("""["a", "a"]""");

        Assert.Equal(["$[0]", "$[1]"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Contains("in time", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_RejectsDuplicateKeys_InDocumentText()
    {
        var schema = await LoadValidAsync("""{ "properties": { "amount": { "type": "number" } } }""");

        var error = Assert.Single(schema.Validate("""{ "amount": 1, "amount": "lots" }"""));

        Assert.Equal("$", error.Path);
    }

    [Fact]
    public async Task Validate_ReportsNotJson_AsOneErrorAtRoot()
    {
        var schema = await LoadValidAsync("{}");

        Assert.StartsWith("is not valid JSON", Assert.Single(schema.Validate("{ nope")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EnforcesConditionalSchema()
    {
        var schema = await LoadValidAsync("""
            { "if": { "properties": { "exited": { "const": true } }, "required": ["exited"] },
              "then": { "required": ["exitReason"] } }
            """);

        Assert.Empty(schema.Validate("""{ "exited": false }"""));
        Assert.Equal("$.exitReason", Assert.Single(schema.Validate("""{ "exited": true }""")).Path);
    }

    // Found by the differential check against JsonSchema.Net: System.Text.Json's TryGetDecimal rounds to 28 decimal
    // places without saying so, and the guard compared through it, so 1e-30 counted as 0.
    [Theory]
    [InlineData("""{ "exclusiveMinimum": 0 }""", "1e-30", true)]
    [InlineData("""{ "maximum": 1 }""", "1.00000000000000000000000000001", false)]
    [InlineData("""{ "minimum": 1 }""", "0.99999999999999999999999999999", false)]
    [InlineData("""{ "multipleOf": 2 }""", "1e-30", false)]
    [InlineData("""{ "multipleOf": 0.01 }""", "19.99", true)]
    [InlineData("""{ "multipleOf": 0.01 }""", "19.9900000000000000000000000001", false)]
    [InlineData("""{ "const": 0 }""", "1e-30", false)]
    [InlineData("""{ "const": 1 }""", "1.0e0", true)]
    [InlineData("""{ "enum": [9007199254740993] }""", "9007199254740992", false)]
    [InlineData("""{ "type": "integer" }""", "1e-30", false)]
    [InlineData("""{ "type": "integer" }""", "1.00000000000000000000000000001", false)]
    [InlineData("""{ "type": "integer" }""", "1.000000000000000000000000000000e3", true)]
    [InlineData("""{ "uniqueItems": true }""", "[0, 1e-30]", true)]
    [InlineData("""{ "uniqueItems": true }""", "[100, 1e2, 100.0]", false)]
    [InlineData("""{ "uniqueItems": true }""", "[0, 2, -0]", false)]
    [InlineData("""{ "uniqueItems": true }""", "[0.00, 0]", false)]
    [InlineData("""{ "uniqueItems": true }""", "[0e5, -0.0, 1]", false)]
    [InlineData("""{ "exclusiveMinimum": 1e-30 }""", "5e-30", true)]
    [InlineData("""{ "exclusiveMinimum": 1e-30 }""", "1e-30", false)]
    [InlineData("""{ "const": 0.1000000000000000000000000000001 }""", "0.1", false)]
    [InlineData("""{ "exclusiveMaximum": 972783798187987123879878123.18878137 }""", "972783798187987123879878123.188781371", false)]
    public async Task Validate_ComparesNumbersByTheirExactValue_BeyondDecimalPrecision(string schemaText, string document, bool valid)
    {
        var schema = await LoadValidAsync(schemaText);

        Assert.Equal(valid, schema.Validate(document).Count == 0);
        using var parsed = JsonDocument.Parse(document);
        Assert.Equal(valid, schema.IsValid(parsed.RootElement));
    }

    [Fact]
    public async Task Load_RefusesCount_ThatIsOnlyRoundedToAnInteger()
    {
        var result = await LoadAsync("""{ "maxLength": 2.0000000000000000000000000000001 }""");

        Single(result, SchemaDiagnosticCodes.InvalidKeywordValue);
    }
}
