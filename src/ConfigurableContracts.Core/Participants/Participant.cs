namespace ConfigurableContracts.Core.Participants;

/// <summary>
/// A pseudonymised participant enrolled under a contract by one provider. <see cref="Record"/> is the participant
/// document (JSON) exactly as validated against the template's participant schema.
/// </summary>
public sealed record Participant(
    string Id,
    string ContractId,
    string ProviderId,
    string Pseudonym,
    DateOnly EnrolmentDate,
    string Record,
    DateTimeOffset CreatedAt,
    string CreatedBy);

/// <summary>A participant to enrol: the pseudonym and enrolment date read from the validated record, and the record.</summary>
public sealed record NewParticipant(string Pseudonym, DateOnly EnrolmentDate, string Record);

/// <summary>What an attempt to enrol came to.</summary>
public enum EnrolmentOutcome
{
    Enrolled,

    /// <summary>No such contract among those the caller delivers under.</summary>
    ContractNotFound,

    /// <summary>The contract is a draft or closed.</summary>
    ContractNotActive,

    /// <summary>The contract already has a participant with this pseudonym.</summary>
    DuplicatePseudonym,
}

/// <summary>The outcome of one enrolment and the participant when enrolled.</summary>
public sealed record Enrolment(EnrolmentOutcome Outcome, Participant? Participant);

/// <summary>The key facts of an enrolled participant, for matching measurements by pseudonym.</summary>
public sealed record EnrolledParticipant(string Id, string Pseudonym, DateOnly EnrolmentDate);
