using System.CommandLine;
using System.Text.Json;
using ConfigurableContracts.Cli.CodeGeneration;
using ConfigurableContracts.Cli.Commands;
using ConfigurableContracts.Cli.Tests.Commands;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Core.Templates.Schemas;
using ConfigurableContracts.Core.Tests.TemplateFiles;

namespace ConfigurableContracts.Cli.Tests.CodeGeneration;

/// <summary>
/// <c>contracts schema codegen</c> over the shipped templates: the generated models compile, and every example
/// document of the template (schemas/&lt;id&gt;/examples and the inline inputs of its rule tests) reads into its model
/// and writes back as the same JSON, which the template's schema still accepts.
/// </summary>
public sealed class TemplateModelTests : IDisposable
{
    private readonly RepositoryCopy _repository = RepositoryCopy.Create();
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("codegen-");

    public void Dispose()
    {
        _repository.Dispose();
        _output.Delete(recursive: true);
    }

    public static TheoryData<string, bool, bool> Templates() => new()
    {
        // template, nullable reference types, one file per document
        { "preventive-youth-support", true, true },
        { "youth-employment", true, true },
        { "preventive-youth-support", false, false },
        { "youth-employment", false, false },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task GeneratedModels_Compile_AndRoundTripEveryExampleDocument(string templateId, bool nullable, bool filePerDocument)
    {
        var folder = Path.Combine(_repository.Root, "schemas", templateId);
        string[] args = filePerDocument
            ? ["schema", "codegen", folder, "--output", _output.FullName, "--file-per-document", "--namespace", "Case.Models"]
            : ["schema", "codegen", folder, "--nullable", "false", "--namespace", "Case.Models"];
        var (exitCode, output, error) = Invoke(args);
        Assert.True(exitCode == 0, error);

        var manifest = new TemplateLoader(_repository.Root, new TemplateOptions()).Load(folder).Version!.Declared;
        var typeNames = manifest.Schemas!.Keys.ToDictionary(key => key, TemplateModelGenerator.TypeName);
        IReadOnlyList<string> sources = filePerDocument
            ? typeNames.Values.Select(name => File.ReadAllText(Path.Combine(_output.FullName, name + ".cs"))).ToList()
            : [output];
        Assert.Equal(nullable, sources.All(source => source.Contains("#nullable enable", StringComparison.Ordinal)));

        using var models = GeneratedModels.Compile(sources, nullable);
        var roundTripped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, json, where) in TemplateExampleDocuments.Read(folder, manifest))
        {
            var schema = (await new SchemaGuard().LoadAsync(folder, Path.Combine(folder, manifest.Schemas[key]))).Schema!;
            var written = GeneratedModels.RoundTrip(json, models.Type("Case.Models." + typeNames[key]));

            using var before = JsonDocument.Parse(json);
            using var after = JsonDocument.Parse(written);
            Assert.True(JsonSemantics.Difference(before.RootElement, after.RootElement) is null,
                $"{where} as {typeNames[key]}: {JsonSemantics.Difference(before.RootElement, after.RootElement)}\nwritten: {written}");
            Assert.True(schema.Validate(written).Count == 0,
                $"{where} as {typeNames[key]} was written back as a document its schema refuses: {string.Join("; ", schema.Validate(written))}\nwritten: {written}");
            roundTripped[key] = roundTripped.GetValueOrDefault(key) + 1;
        }

        // Every document the template names has examples here; a key without any would be a round trip never tried.
        Assert.Equal(manifest.Schemas.Keys.Order(StringComparer.Ordinal), roundTripped.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("preventive-youth-support")]
    [InlineData("youth-employment")]
    public async Task GeneratedModels_MapIntegerToLong_NumberToDecimal_AndDateToDateOnly(string templateId)
    {
        var folder = Path.Combine(_repository.Root, "schemas", templateId);
        var (exitCode, output, error) = Invoke("schema", "codegen", folder, "--namespace", "Case.Models");
        Assert.True(exitCode == 0, error);
        using var models = GeneratedModels.Compile([output], nullable: true);
        var manifest = new TemplateLoader(_repository.Root, new TemplateOptions()).Load(folder).Version!.Declared;

        var checkedProperties = 0;
        foreach (var (key, file) in manifest.Schemas!)
        {
            using var schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, file)));
            var type = models.Type("Case.Models." + TemplateModelGenerator.TypeName(key));
            foreach (var property in schema.RootElement.GetProperty("properties").EnumerateObject())
            {
                var declared = property.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var format = property.Value.TryGetProperty("format", out var f) ? f.GetString() : null;
                var expected = (declared, format) switch
                {
                    ("integer", _) => typeof(long),
                    ("number", _) => typeof(decimal),
                    ("string", "date") => typeof(DateOnly),
                    _ => null,
                };
                if (expected is null)
                    continue;
                var clr = type.GetProperties().Single(p => p.GetCustomAttributesData()
                    .Any(a => a.AttributeType.Name == "JsonPropertyNameAttribute" && (string?)a.ConstructorArguments[0].Value == property.Name)).PropertyType;
                Assert.Equal(expected, Nullable.GetUnderlyingType(clr) ?? clr);
                checkedProperties++;
            }
        }

        Assert.True(checkedProperties >= 5, $"only {checkedProperties} integer, number or date properties were checked");
    }

    [Fact]
    public void Codegen_RefusesRemoteReference_WithALocatedDiagnostic()
    {
        const string participant = "schemas/youth-employment/participant.schema.json";
        _repository.Replace(participant, "\"exitReason\": { \"$ref\": \"#/definitions/exitReason\" }",
            "\"exitReason\": { \"$ref\": \"https://example.org/exit-reason.schema.json\" }");

        var (exitCode, output, error) = Invoke("schema", "codegen", Path.Combine(_repository.Root, "schemas", "youth-employment"));

        Assert.Equal(SchemaCodegenCommand.Refused, exitCode);
        Assert.Equal("", output);
        var line = _repository.LineOf(participant, "https://example.org/exit-reason.schema.json");
        Assert.Contains(error.Split('\n'), l => l.StartsWith($"{participant}:{line}:", StringComparison.Ordinal)
            && l.Contains("error CCT0007: $ref \"https://example.org/exit-reason.schema.json\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Codegen_RefusesReferenceLeavingTheTemplateFolder_InAReferencedFile()
    {
        const string participant = "schemas/youth-employment/participant.schema.json";
        _repository.Replace(participant, "\"exitReason\": { \"$ref\": \"#/definitions/exitReason\" }",
            "\"exitReason\": { \"$ref\": \"common/codes.schema.json#/definitions/exitReason\" }");
        var common = Directory.CreateDirectory(Path.Combine(_repository.Root, "schemas", "youth-employment", "common"));
        File.WriteAllText(Path.Combine(common.FullName, "codes.schema.json"),
            """{ "definitions": { "exitReason": { "$ref": "../../preventive-youth-support/participant.schema.json#/definitions/exitReason" } } }""");

        var (exitCode, _, error) = Invoke("schema", "codegen", Path.Combine(_repository.Root, "schemas", "youth-employment"));

        Assert.Equal(SchemaCodegenCommand.Refused, exitCode);
        Assert.Contains(error.Split('\n'), l => l.StartsWith("schemas/youth-employment/common/codes.schema.json:1:", StringComparison.Ordinal)
            && l.Contains("error CCT0007:", StringComparison.Ordinal) && l.Contains("leaves the template folder", StringComparison.Ordinal));
    }

    [Fact]
    public void Codegen_AsksWhichTemplate_WhenTheFolderHoldsSeveral()
    {
        var (exitCode, _, error) = Invoke("schema", "codegen", _repository.Root);

        Assert.Equal(SchemaCodegenCommand.BadCommandLine, exitCode);
        Assert.Contains("holds 2 templates (preventive-youth-support, youth-employment): name one with --template", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Codegen_ChoosesTheTemplate_WithTemplateOption()
    {
        var (exitCode, output, error) = Invoke("schema", "codegen", _repository.Root, "--template", "youth-employment");

        Assert.True(exitCode == 0, error);
        Assert.Contains("namespace ConfigurableContracts.Templates.YouthEmployment", output, StringComparison.Ordinal);
        Assert.Contains("public partial class ContractParameters", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Codegen_NeedsOutput_ForOneFilePerDocument()
    {
        var (exitCode, _, error) = Invoke("schema", "codegen", Path.Combine(_repository.Root, "schemas", "youth-employment"), "--file-per-document");

        Assert.Equal(SchemaCodegenCommand.BadCommandLine, exitCode);
        Assert.Contains("--file-per-document needs --output", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Codegen_RefusesANamespace_ThatIsNotOne()
    {
        var (exitCode, _, error) = Invoke("schema", "codegen", Path.Combine(_repository.Root, "schemas", "youth-employment"), "--namespace", "Case.2Models");

        Assert.Equal(SchemaCodegenCommand.BadCommandLine, exitCode);
        Assert.Contains("not a C# namespace", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(SchemaCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString().Replace("\r", "", StringComparison.Ordinal));
    }
}
