using System.Text.Json;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Tests.Intake;

public sealed class IntakeTests
{
    private static readonly TemplateVersion Template = Stores.StoreWorld.Template() is var t ? new TemplateVersion
    {
        Id = t.Id,
        Version = t.Version,
        BundleHash = t.BundleHash,
        Files = t.Files,
        Title = t.Title,
        Description = t.Description,
        ContractSchema = t.ContractSchema,
        ParticipantSchema = t.ParticipantSchema,
        MeasurementSchema = t.MeasurementSchema,
        MeasurementPlan = new MeasurementPlan([new MeasurementPoint("baseline", "baseline", 0, 0, 30), new MeasurementPoint("followUp3", "followUp3", 3, 14, 30)]),
        Workflows = [],
        Manifest = t.Manifest,
        Warnings = [],
    } : throw new InvalidOperationException();

    [Fact]
    public void Participant_IsRead_WhenPseudonymAndEnrolmentDateArePresent()
    {
        var result = ParticipantIntake.Validate(Template, Json("""{"pseudonym":"HV-1","enrolmentDate":"2021-09-06","providerId":"forening-a"}"""), "forening-a");

        Assert.True(result.IsValid);
        Assert.Equal(("HV-1", new DateOnly(2021, 9, 6)), (result.Value!.Pseudonym, result.Value.EnrolmentDate));
    }

    [Fact]
    public void Participant_IsRefused_WithEveryPath_WhenFieldsAreMissingOrForeign()
    {
        var result = ParticipantIntake.Validate(Template, Json("""{"enrolmentDate":"6/9/2021","providerId":"forening-b","note":"121212-1212"}"""), "forening-a");

        Assert.False(result.IsValid);
        Assert.Equal(["$.enrolmentDate", "$.note", "$.providerId", "$.pseudonym"], result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Measurement_IsRefused_WhenThePointIsNotInThePlan()
    {
        var result = MeasurementIntake.Validate(Template, Json("""{"pseudonym":"HV-1","point":"followUp12","date":"2022-01-01"}"""));

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.point", error.Path);
        Assert.Contains("baseline, followUp3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2021-12-22", true)] // due 2022-01-05 minus 14 days
    [InlineData("2021-12-21", false)]
    [InlineData("2022-02-04", true)] // due plus 30 days
    [InlineData("2022-02-05", false)]
    public void CheckWindow_AcceptsExactlyTheWindow_CountedFromEnrolment(string date, bool inside)
    {
        var line = MeasurementIntake.Validate(Template, Json($$"""{"pseudonym":"HV-1","point":"followUp3","date":"{{date}}"}""")).Value!;

        var error = MeasurementIntake.CheckWindow(line, new DateOnly(2021, 10, 5));

        Assert.Equal(inside, error is null);
        if (error is not null)
        {
            Assert.Equal("$.date", error.Path);
            Assert.Contains("2021-12-22 to 2022-02-04 (due 2022-01-05)", error.Message, StringComparison.Ordinal);
        }
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
