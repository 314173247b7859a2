using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates.Schemas;

namespace ConfigurableContracts.Core.Tests.Schemas;

public sealed class InstancePathTests
{
    [Theory]
    [InlineData("two\nlines", @"$['two\nlines']")]
    [InlineData("tab\tand\rreturn", @"$['tab\tand\rreturn']")]
    [InlineData("nul\0bell\a", @"$['nul\u0000bell\u0007']")]
    [InlineData("next\u0085line", @"$['next\u0085line']")]
    [InlineData("line\u2028para\u2029", @"$['line\u2028para\u2029']")]
    [InlineData("del\u007f", @"$['del\u007F']")]
    [InlineData(@"it's a \n", @"$['it\'s a \\n']")]
    public void Render_WritesControlCharactersAsJsonEscapes_AndParseReadsThemBack(string name, string expected)
    {
        var path = new InstancePath();
        path.Push(name);

        var rendered = path.Render();

        Assert.Equal(expected, rendered);
        Assert.DoesNotContain(rendered, OneLineText.MustEscape);
        Assert.Equal([name], InstancePath.Parse(rendered));
    }

    [Fact]
    public void Parse_ReadsNestedSegments_AroundAnEscapedName()
    {
        var path = new InstancePath();
        path.Push("providers");
        path.Push(2);
        path.Push("a\nb");
        path.Push("c");

        Assert.Equal(["providers", "2", "a\nb", "c"], InstancePath.Parse(path.Render()));
    }

    [Fact]
    public async Task Validate_ReportsPathOnOneLine_WhenAPropertyNameHoldsANewline()
    {
        using var folder = new TemplateFolder();
        var schemaPath = folder.Write("participant.schema.json", """{ "additionalProperties": false }""");
        var schema = (await new SchemaGuard().LoadAsync(folder.Root, schemaPath)).Schema!;

        var error = Assert.Single(schema.Validate("""{ "a\nb\u2028c": 1 }"""));

        Assert.Equal(@"$['a\nb\u2028c']", error.Path);
    }
}
