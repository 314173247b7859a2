using System.Text;
using System.Text.Json.Nodes;

namespace ConfigurableContracts.Server.Tests.Hostile;

/// <summary>One hostile schema: what replaces the template's participant schema, any files beside it, and the outcome.</summary>
/// <param name="Name">What the case attacks.</param>
/// <param name="Participant">The bytes written as <c>participant.schema.json</c>.</param>
/// <param name="OtherFiles">Further files, by path relative to the template's schema folder (may leave it, to be a target outside).</param>
/// <param name="RefusedWith">The schema guard's diagnostic code (docs/schema-guard.md) it must be refused with; null when it loads and must be harmless in use.</param>
internal sealed record HostileSchema(string Name, byte[] Participant, IReadOnlyDictionary<string, string> OtherFiles, string? RefusedWith);

/// <summary>
/// Schema files a template designer (or whoever can write to the templates folder) could hand the server to make it
/// fetch from the network, read files outside the template, recurse without end, run out of stack or memory, or
/// check nothing while seeming to. Each is refused by the schema guard with its code, or loads and is harmless.
/// </summary>
internal static class HostileSchemas
{
    public const string Draft7 = "http://json-schema.org/draft-07/schema#";

    /// <summary>The pseudonym that makes <see cref="CatastrophicPattern"/> backtrack exponentially: a run of a's that fails at the end.</summary>
    public const string CatastrophicPseudonym = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";

    private const string CatastrophicPattern = "^(a+)+$";

    /// <summary>
    /// The corpus. <paramref name="goodParticipant"/> is the template's own participant schema (the harmless cases are
    /// variations of it, so the template still binds); <paramref name="remotePort"/> is a local port the caller listens
    /// on, so a remote <c>$ref</c> the server tried to fetch would be seen.
    /// </summary>
    public static IReadOnlyList<HostileSchema> All(string goodParticipant, int remotePort)
    {
        var remote = $"http://127.0.0.1:{remotePort}/participant.schema.json";
        var catastrophic = JsonNode.Parse(goodParticipant)!;
        catastrophic["properties"]!["pseudonym"]!["pattern"] = CatastrophicPattern;
        return
        [
            Refused("remote http $ref at the root", Schema($$"""{ "$ref": "{{remote}}" }"""), "CCT0007"),
            Refused("remote https $ref at the root", Schema($$"""{ "$ref": "https://127.0.0.1:{{remotePort}}/participant.schema.json" }"""), "CCT0007"),
            Refused("remote $ref hidden in a property", Schema($$"""{ "type": "object", "properties": { "pseudonym": { "$ref": "{{remote}}#/definitions/x" } } }"""), "CCT0007"),
            Refused("file:// URL $ref", Schema("""{ "$ref": "file:///etc/passwd" }"""), "CCT0007"),
            Refused("absolute file path $ref", Schema("""{ "$ref": "/etc/passwd" }"""), "CCT0007"),
            Refused("Windows path $ref", Schema("""{ "$ref": "C:\\Windows\\win.ini" }"""), "CCT0007"),
            Refused("../ $ref to a schema that exists outside the template folder", Schema("""{ "$ref": "../../outside.schema.json" }"""), "CCT0007",
                ("../../outside.schema.json", """{ "type": "object" }""")),
            Refused("$ref to a file that is not there", Schema("""{ "$ref": "missing.schema.json" }"""), "CCT0008"),
            Refused("$ref cycle inside the file", Schema("""{ "allOf": [{ "$ref": "#/definitions/a" }], "definitions": { "a": { "$ref": "#/definitions/b" }, "b": { "$ref": "#/definitions/a" } } }"""), "CCT0014"),
            Refused("$ref cycle through a second file", Schema("""{ "$ref": "loop.schema.json" }"""), "CCT0014",
                ("loop.schema.json", """{ "$ref": "participant.schema.json" }""")),
            Refused("keyword beside $ref that draft-07 ignores", Schema("""{ "$ref": "#/definitions/a", "type": "string", "definitions": { "a": { "type": "object" } } }"""), "CCT0013"),
            Refused("nesting beyond the depth limit", Schema(Repeat("""{ "properties": { "a": """, 40) + "{}" + Repeat(" } }", 40)), "CCT0004"),
            Refused("100 000-deep array in an annotation", Schema("""{ "default": """ + new string('[', 100_000) + new string(']', 100_000) + " }"), "CCT0004"),
            Refused("file beyond the size limit", Schema($$"""{ "description": "{{new string('x', 1_100_000)}}" }"""), "CCT0002"),
            Refused("regex .NET cannot run with ECMA-262 meaning", Schema("""{ "type": "string", "pattern": "\\p{L}+" }"""), "CCT0010"),
            Refused("regex that does not compile", Schema("""{ "type": "string", "pattern": "(unclosed" }"""), "CCT0010"),
            Refused("later-draft keyword $defs", Schema("""{ "$defs": { "a": { "type": "string" } } }"""), "CCT0005"),
            Refused("later-draft keyword unevaluatedProperties", Schema("""{ "type": "object", "unevaluatedProperties": false }"""), "CCT0005"),
            Refused("misspelt keyword that draft-07 would ignore", Schema("""{ "type": "object", "properties": { "schoolYear": { "type": "integer", "minimun": 4 } } }"""), "CCT0005"),
            Refused("annotation-only contentMediaType", Schema("""{ "type": "string", "contentMediaType": "application/json" }"""), "CCT0005"),
            Refused("format the guard does not enforce", Schema("""{ "type": "string", "format": "email" }"""), "CCT0009"),
            Refused("$id below the root, redirecting refs", Schema("""{ "properties": { "a": { "$id": "http://evil.example/a.json", "type": "string" } } }"""), "CCT0011"),
            Refused("$schema of a later draft", Encoding.UTF8.GetBytes("""{ "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object" }"""), "CCT0012"),
            Refused("not JSON at all", Encoding.UTF8.GetBytes("this is not JSON { \"type\": "), "CCT0003"),
            Refused("JSON with a comment and a trailing comma", Schema("""{ /* looks harmless */ "type": "object", }"""), "CCT0003"),
            Refused("duplicate key showing two different schemas", Schema("""{ "type": "object", "type": "string" }"""), "CCT0003"),
            Refused("invalid UTF-8", [.. Encoding.UTF8.GetBytes("""{ "description": " """), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\" }")], "CCT0003"),
            Refused("empty file", [], "CCT0003"),
            new HostileSchema("catastrophic-backtracking pattern (loads: every match has a timeout)", Encoding.UTF8.GetBytes(catastrophic.ToJsonString()), new Dictionary<string, string>(), null),
        ];
    }

    private static HostileSchema Refused(string name, byte[] participant, string code, params (string Path, string Text)[] others) =>
        new(name, participant, others.ToDictionary(o => o.Path, o => o.Text), code);

    /// <summary>A draft-07 schema: the object's text with the <c>$schema</c> line put in front, so only the attack differs.</summary>
    private static byte[] Schema(string objectText) =>
        Encoding.UTF8.GetBytes($$"""{ "$schema": "{{Draft7}}", """ + objectText.TrimStart()[1..]);

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));
}
