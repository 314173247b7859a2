using System.Text.Json;

namespace ConfigurableContracts.Rules.Tests;

public class JsonSyntaxErrorTests
{
    private static readonly JsonReaderOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static JsonSyntaxError Find(string json, JsonReaderOptions? options = null) =>
        Assert.IsType<JsonSyntaxError>(JsonSyntaxError.Find(json, options ?? Lenient));

    [Theory]
    [InlineData("{\"a\": [1, {\"b\": 2", "Unexpected end of file: 2 objects and 1 array are still open.")]
    [InlineData("{\"a\": [1, {\"b\": ", "Unexpected end of file: 2 objects and 1 array are still open.")]
    [InlineData("[[[", "Unexpected end of file: 3 arrays are still open.")]
    [InlineData("{\"a\": tru", "Unexpected end of file: 1 object is still open.")]
    [InlineData("{\"a\": \"abc", "Unexpected end of file inside a string: 1 object is still open.")]
    [InlineData("{\"a\": 1 /* open", "Unexpected end of file inside a comment: 1 object is still open.")]
    [InlineData("", "Unexpected end of file: the file holds no JSON value.")]
    [InlineData("  \n ", "Unexpected end of file: the file holds no JSON value.")]
    public void Find_SaysUnexpectedEndOfFile_WhenTheFileIsCutOff(string json, string message)
    {
        var error = Find(json);
        Assert.Equal(JsonSyntaxErrorKind.EndOfFile, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Find_LocatesEndOfFile_AfterTheLastCharacter()
    {
        var error = Find("{\n  \"rules\": [\n    {\"name\": \"å\"\n\n");
        Assert.Equal((3, 17), (error.Line, error.Column));
    }

    [Fact]
    public void Find_CountsColumnsInCharacters_NotUtf8Bytes()
    {
        // "å" is two bytes in UTF-8 and "😀" four (two UTF-16 units, as editors that count UTF-16 show them).
        Assert.Equal((1, 7), Position(Find("{\"å\": x}")));
        Assert.Equal((2, 9), Position(Find("{\n  \"åå\": x}")));
        Assert.Equal((1, 8), Position(Find("{\"😀\": x}")));
    }

    private static (int, int) Position(JsonSyntaxError error) => (error.Line, error.Column);

    [Theory]
    [InlineData("{\"a\": x}", "Not valid JSON: 'x' is an invalid start of a value.")]
    [InlineData("{\"a\": 1} x", "Not valid JSON: 'x' is invalid after a single JSON value. Expected end of data.")]
    [InlineData("{'a': 1}", "Not valid JSON: ''' is an invalid start of a property name. Expected a '\"'.")]
    public void Find_GivesAPlainSentence_WithoutSystemTextJsonsPosition(string json, string message)
    {
        var error = Find(json);
        Assert.Equal(JsonSyntaxErrorKind.Invalid, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_RefusesNestingBeyondMaxDepth_AtTheFirstContainerTooDeep()
    {
        var options = Lenient with { MaxDepth = 4 };
        Assert.Null(JsonSyntaxError.Find("[[[[]]]]", options));

        var error = Find("[[[[[]]]]]", options);

        Assert.Equal(JsonSyntaxErrorKind.TooDeep, error.Kind);
        Assert.Equal("JSON is nested more than 4 levels deep.", error.Message);
        Assert.Equal((1, 5), Position(error));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("12")]
    [InlineData("\"text\"")]
    [InlineData("[1, 2,] // trailing comma and comment allowed here")]
    public void Find_ReturnsNull_ForValidJson(string json) => Assert.Null(JsonSyntaxError.Find(json, Lenient));

    [Fact]
    public void Describe_AgreesWithTheExceptionOfJsonDocument()
    {
        const string json = "{\n  \"å\": [1,\n";
        var exception = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json));

        var error = JsonSyntaxError.Describe(json, default, exception);

        Assert.Equal(JsonSyntaxErrorKind.EndOfFile, error.Kind);
        Assert.Equal((2, 11), Position(error));
    }
}
