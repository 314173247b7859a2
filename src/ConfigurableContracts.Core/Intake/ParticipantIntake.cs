using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Intake;

/// <summary>
/// Checks a participant record before enrolment: the template's participant schema, no personal identity number
/// anywhere, and the fields the platform itself reads — <c>pseudonym</c> (unique per contract),
/// <c>enrolmentDate</c> (the measurement plan counts from it) and, when present, <c>providerId</c>, which must be
/// the enrolling provider: a provider cannot enrol on another's behalf.
/// </summary>
public static class ParticipantIntake
{
    public const string PseudonymProperty = "pseudonym";
    public const string EnrolmentDateProperty = "enrolmentDate";
    public const string ProviderIdProperty = "providerId";

    /// <summary>The longest pseudonym stored (the column width on every database).</summary>
    public const int MaxPseudonymLength = 64;

    public static IntakeResult<NewParticipant> Validate(TemplateVersion template, JsonElement record, string providerId)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<DocumentError>();
        if (record.ValueKind != JsonValueKind.Object)
        {
            return IntakeResult.Invalid<NewParticipant>([new DocumentError("$", "A participant record is a JSON object.")]);
        }

        errors.AddRange(template.ParticipantSchema.Validate(record));
        errors.AddRange(PersonalIdentityNumbers.Find(record));
        var pseudonym = ReadPseudonym(record, errors);
        var enrolment = ReadDate(record, EnrolmentDateProperty, errors);
        if (record.TryGetProperty(ProviderIdProperty, out var provider)
            && provider.ValueKind == JsonValueKind.String && provider.GetString() != providerId)
        {
            errors.Add(new DocumentError(
                JsonPath.Property("$", ProviderIdProperty),
                $"This is not the enrolling provider '{providerId}'; a provider enrols only its own participants."));
        }

        return errors.Count > 0 || pseudonym is null || enrolment is null
            ? IntakeResult.Invalid<NewParticipant>(Distinct(errors))
            : IntakeResult.Valid<NewParticipant>(new NewParticipant(pseudonym, enrolment.Value, record.GetRawText()));
    }

    internal static string? ReadPseudonym(JsonElement document, List<DocumentError> errors)
    {
        var path = JsonPath.Property("$", PseudonymProperty);
        if (!document.TryGetProperty(PseudonymProperty, out var value) || value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new DocumentError(path, "A pseudonym (string) is required: it identifies the participant within the contract."));
            return null;
        }

        var pseudonym = value.GetString()!;
        if (pseudonym.Length == 0 || pseudonym.Length > MaxPseudonymLength || pseudonym.Trim() != pseudonym)
        {
            errors.Add(new DocumentError(path, $"A pseudonym has 1 to {MaxPseudonymLength} characters and no surrounding spaces."));
            return null;
        }

        return pseudonym;
    }

    internal static DateOnly? ReadDate(JsonElement document, string property, List<DocumentError> errors)
    {
        var path = JsonPath.Property("$", property);
        if (document.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add(new DocumentError(path, $"'{property}' must be a date written YYYY-MM-DD."));
        return null;
    }

    /// <summary>The schema and our own checks may both flag one value; say it once.</summary>
    internal static List<DocumentError> Distinct(List<DocumentError> errors) => errors.Distinct().ToList();
}
