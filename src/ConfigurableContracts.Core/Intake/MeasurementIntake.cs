using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Intake;

/// <summary>
/// Checks a measurement document: the template's measurement schema, no personal identity number anywhere, and
/// the fields the platform reads — <c>pseudonym</c> (whose measurement), <c>point</c> (which must be in the
/// template's measurement plan) and <c>date</c> (which must fall in that point's window, see
/// <see cref="CheckWindow"/>, once the participant's enrolment date is known).
/// </summary>
public static class MeasurementIntake
{
    public const string PointProperty = "point";
    public const string DateProperty = "date";

    public static IntakeResult<MeasurementLine> Validate(TemplateVersion template, JsonElement document)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (document.ValueKind != JsonValueKind.Object)
        {
            return IntakeResult.Invalid<MeasurementLine>([new DocumentError("$", "A measurement is a JSON object.")]);
        }

        var errors = new List<DocumentError>();
        errors.AddRange(template.MeasurementSchema.Validate(document));
        errors.AddRange(PersonalIdentityNumbers.Find(document));
        var pseudonym = ParticipantIntake.ReadPseudonym(document, errors);
        var date = ParticipantIntake.ReadDate(document, DateProperty, errors);
        MeasurementPoint? point = null;
        var pointPath = JsonPath.Property("$", PointProperty);
        if (!document.TryGetProperty(PointProperty, out var pointValue) || pointValue.ValueKind != JsonValueKind.String)
        {
            errors.Add(new DocumentError(pointPath, "A measurement point (string) is required."));
        }
        else if (!template.MeasurementPlan.TryGetPoint(pointValue.GetString()!, out var planned))
        {
            errors.Add(new DocumentError(
                pointPath,
                $"This is not a point of the measurement plan of {template.Id} {template.Version}; " +
                $"the plan has {string.Join(", ", template.MeasurementPlan.Points.Select(p => p.Id))}."));
        }
        else
        {
            point = planned;
        }

        return errors.Count > 0 || pseudonym is null || date is null || point is null
            ? IntakeResult.Invalid<MeasurementLine>(ParticipantIntake.Distinct(errors))
            : IntakeResult.Valid<MeasurementLine>(new MeasurementLine(pseudonym, point, date.Value, document.GetRawText()));
    }

    /// <summary>
    /// Null when the measurement date lies in its point's window, counted from the participant's enrolment;
    /// otherwise an error at <c>$.date</c> that names the window.
    /// </summary>
    public static DocumentError? CheckWindow(MeasurementLine line, DateOnly enrolment)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Point.IsWithinWindow(enrolment, line.Date))
        {
            return null;
        }

        return new DocumentError(
            JsonPath.Property("$", DateProperty),
            string.Create(
                CultureInfo.InvariantCulture,
                $"{line.Date:yyyy-MM-dd} is outside the window of point '{line.Point.Id}' for a participant enrolled {enrolment:yyyy-MM-dd}: " +
                $"{line.Point.WindowStart(enrolment):yyyy-MM-dd} to {line.Point.WindowEnd(enrolment):yyyy-MM-dd} (due {line.Point.DueDate(enrolment):yyyy-MM-dd})."));
    }
}

/// <summary>A measurement document that passed its checks, with the fields the platform reads from it.</summary>
public sealed record MeasurementLine(string Pseudonym, MeasurementPoint Point, DateOnly Date, string Document);
