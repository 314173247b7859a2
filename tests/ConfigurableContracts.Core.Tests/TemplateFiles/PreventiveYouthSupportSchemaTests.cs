using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConfigurableContracts.Core.Tests.TemplateFiles;

/// <summary>
/// Properties of the seed template's schemas that JSON Schema cannot state across files: the exit reasons and the
/// pseudonym rule are repeated in several schemas (a $ref cannot leave its document) and must not drift apart, and
/// the pseudonym rule must really keep personal identity numbers out.
/// </summary>
public sealed class PreventiveYouthSupportSchemaTests
{
    private const string Folder = "schemas/preventive-youth-support";

    private static readonly string[] SchemasWithPseudonyms =
        ["participant.schema.json", "measurement.schema.json", "cohort-member.schema.json"];

    [Fact]
    public void ExitReasons_AreTheSame_InContractParticipantAndCohortMemberSchemas()
    {
        var inContract = EnumValues("contract.schema.json", "definitions", "exitReason");
        var inParticipant = EnumValues("participant.schema.json", "definitions", "exitReason");
        var inCohortMember = EnumValues("cohort-member.schema.json", "properties", "exitReason").Where(v => v is not null);

        Assert.Equal(inContract, inParticipant);
        Assert.Equal(inContract, inCohortMember);
    }

    [Fact]
    public void PseudonymPattern_IsTheSame_InParticipantMeasurementAndCohortMemberSchemas()
    {
        var patterns = SchemasWithPseudonyms
            .Select(file => ReadSchema(file).GetProperty("properties").GetProperty("pseudonym").GetProperty("pattern").GetString())
            .Distinct(StringComparer.Ordinal);

        Assert.Single(patterns);
    }

    [Theory]
    [InlineData("19850101-1234")]
    [InlineData("850101-1234")]
    [InlineData("HV-850101-1234")]
    [InlineData("HV-8501-01-1234")]
    [InlineData("A8501011234")]
    [InlineData("HV-850101")]
    [InlineData("0001")]
    public void PseudonymPattern_Rejects_WhenValueCouldHoldAnIdentityNumberOrBirthDate(string value)
    {
        Assert.DoesNotMatch(PseudonymPattern(), value);
    }

    [Theory]
    [InlineData("HV-0001")]
    [InlineData("T-0001")]
    [InlineData("Kista-12345")]
    public void PseudonymPattern_Accepts_WhenValueIsAPlainPseudonym(string value)
    {
        Assert.Matches(PseudonymPattern(), value);
    }

    private static Regex PseudonymPattern() => new(
        ReadSchema("participant.schema.json").GetProperty("properties").GetProperty("pseudonym").GetProperty("pattern").GetString()!,
        RegexOptions.None,
        TimeSpan.FromSeconds(1));

    private static List<string?> EnumValues(string file, string section, string name) =>
        ReadSchema(file).GetProperty(section).GetProperty(name).GetProperty("enum").EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString())
            .ToList();

    private static JsonElement ReadSchema(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryLayout.Full($"{Folder}/{file}")));
        return document.RootElement.Clone();
    }
}
