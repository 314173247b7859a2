using System.CommandLine;
using ConfigurableContracts.Cli.Commands;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class SchemaCommandTests : IDisposable
{
    private const string ParticipantSchema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "required": ["pseudonym", "enrolledOn"],
          "properties": {
            "pseudonym": { "type": "string", "minLength": 4 },
            "enrolledOn": { "type": "string", "format": "date" }
          },
          "additionalProperties": false
        }
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cct-cli-" + Guid.NewGuid().ToString("N"));

    public SchemaCommandTests()
    {
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int ExitCode, string[] Lines) Run(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(SchemaCommand.Create());
        using var output = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray());
    }

    [Fact]
    public void Check_PrintsValid_AndExitsZero_WhenDocumentIsValid()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);
        var data = Write("participant.json", """
            {
              "pseudonym": "P-0001",
              "enrolledOn": "2022-03-01"
            }
            """);

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(0, exitCode);
        Assert.Equal(["valid"], lines);
    }

    [Fact]
    public void Check_PrintsOneLinePerDocumentInOrder_ForJsonLines()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);
        var data = Write("participants.jsonl", string.Join('\n',
            """{"pseudonym":"P-0001","enrolledOn":"2022-03-01"}""",
            """{"pseudonym":"P-0002","enrolledOn":"2022-02-30"}""",
            "",
            """{"pseudonym":"P-0003"}""",
            """{"pseudonym":"P-0004","enrolledOn":"2022-03-01","name":"Anna"}""") + "\n");

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(1, exitCode);
        Assert.Equal(
            [
                "valid",
                "invalid: $.enrolledOn: is not a valid date (expected YYYY-MM-DD)",
                "invalid: $.enrolledOn: is required",
                "invalid: $.name: is not an allowed property here",
            ],
            lines);
    }

    [Fact]
    public void Check_DetectsJsonLines_ByContent_WhenExtensionIsJson()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);
        var data = Write("participants.json", """
            {"pseudonym":"P-0001","enrolledOn":"2022-03-01"}
            {"pseudonym":"P1","enrolledOn":"2022-03-01"}
            """);

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(1, exitCode);
        Assert.Equal(["valid", "invalid: $.pseudonym: must be at least 4 characters long"], lines);
    }

    [Fact]
    public void Check_PrintsRejected_AndExitsTwo_WhenSchemaIsRefused()
    {
        var schema = Write("participant.schema.json", """{ "type": "object", "properties": { "id": { "$ref": "https://example.org/id.json" } } }""");
        var data = Write("participant.json", "{}");

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(lines);
        Assert.StartsWith("rejected: ", line, StringComparison.Ordinal);
        Assert.Contains("error CCT0007", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExitsTwo_WhenDataFileIsMissing()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, Path.Combine(_folder, "missing.jsonl"));

        Assert.Equal(2, exitCode);
        Assert.StartsWith("rejected: data file ", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ReportsInvalidJsonLine_WithoutStoppingTheOthers()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);
        var data = Write("participants.jsonl", "{\"pseudonym\":\"P-0001\",\"enrolledOn\":\"2022-03-01\"}\n{ broken\n");

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(1, exitCode);
        Assert.Equal("valid", lines[0]);
        Assert.StartsWith("invalid: $: is not valid JSON", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public void Check_ListsEveryError_OnTheDocumentsOneLine_WithAll()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);
        var data = Write("participants.jsonl", string.Join('\n',
            """{"pseudonym":"P1","enrolledOn":"2022-02-30","name":"Anna"}""",
            """{"pseudonym":"P-0001","enrolledOn":"2022-03-01"}""",
            """{"pseudonym":"P2"}"""));

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data, "--all");

        Assert.Equal(1, exitCode);
        Assert.Equal(
            [
                "invalid: $.pseudonym: must be at least 4 characters long; $.enrolledOn: is not a valid date (expected YYYY-MM-DD); $.name: is not an allowed property here",
                "valid",
                "invalid: $.enrolledOn: is required; $.pseudonym: must be at least 4 characters long",
            ],
            lines);
    }

    [Fact]
    public void Check_ShowsTheFirstErrorAndCountsTheOthers_WithoutAll()
    {
        var schema = Write("participant.schema.json", ParticipantSchema);
        var data = Write("participant.json", """{"pseudonym":"P1","enrolledOn":"2022-02-30","name":"Anna"}""");

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(1, exitCode);
        Assert.Equal(["invalid: $.pseudonym: must be at least 4 characters long (+2 more)"], lines);
    }

    [Fact]
    public void Check_EscapesControlCharactersInPathsAndMessages_SoEachDocumentIsOneLine()
    {
        // The pattern is written with a raw U+2028 and U+0085, which JSON allows inside strings, and the message quotes
        // it; document property names arrive with escaped newlines and tabs, and with a raw paragraph separator.
        var schema = Write("participant.schema.json", "{ \"properties\": { \"code\": { \"pattern\": \"^a\u2028b\u0085c$\" } }, \"additionalProperties\": false, \"required\": [\"code\"] }");
        var data = Write("participants.jsonl", string.Join('\n',
            """{"code":"x","two\nlines":1,"tab\there":2}""",
            "{\"code\":\"a\u2028b\u0085c\",\"para\u2029graph\":3}",
            """{"code":"a\u2028b\u0085c"}"""));

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data, "--all");

        Assert.Equal(1, exitCode);
        Assert.Equal(
            [
                """invalid: $.code: does not match the pattern ^a\u2028b\u0085c$; $['two\nlines']: is not an allowed property here; $['tab\there']: is not an allowed property here""",
                """invalid: $['para\u2029graph']: is not an allowed property here""",
                "valid",
            ],
            lines);
    }

    [Fact]
    public void Check_PrintsEachRefusalOnOneLine_WhenAKeywordNameHoldsANewline()
    {
        var schema = Write("participant.schema.json", """{ "properties": { "age": { "mini\nmum": 1 } } }""");
        var data = Write("participant.json", "{}");

        var (exitCode, lines) = Run("schema", "check", "--schema", schema, data);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(lines);
        Assert.Contains("error CCT0005: keyword 'mini\\nmum' at /properties/age", line, StringComparison.Ordinal);
    }
}
