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
    string CreatedBy,
    int RowVersion,
    DateTimeOffset UpdatedAt);

/// <summary>A participant to enrol: the pseudonym and enrolment date read from the validated record, and the record.</summary>
public sealed record NewParticipant(string Pseudonym, DateOnly EnrolmentDate, string Record);

/// <summary>What an attempt to correct a participant's record came to.</summary>
public enum RecordChangeOutcome
{
    Done,

    /// <summary>No such participant among the caller's own in this contract.</summary>
    NotFound,

    /// <summary>The contract is not active.</summary>
    ContractNotActive,

    /// <summary>The row version is not the current one: someone changed the record since it was read.</summary>
    Stale,
}

/// <summary>The outcome of a record correction and the participant as it now stands (null when not found).</summary>
public sealed record RecordChange(RecordChangeOutcome Outcome, Participant? Participant);

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

    /// <summary>
    /// The caller already enrolled this pseudonym with this very record (a re-sent line): nothing is written; the
    /// participant is the one enrolled before.
    /// </summary>
    Unchanged,
}

/// <summary>The outcome of one enrolment: the participant when enrolled, the id of the one enrolled before when unchanged.</summary>
public sealed record Enrolment(EnrolmentOutcome Outcome, Participant? Participant, string? UnchangedId = null);

/// <summary>The key facts of an enrolled participant, for matching measurements by pseudonym.</summary>
public sealed record EnrolledParticipant(string Id, string Pseudonym, DateOnly EnrolmentDate);
