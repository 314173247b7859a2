using System.Security.Claims;
using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Intake;
using ConfigurableContracts.Server.Limits;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Participants;

/// <summary>
/// <c>/api/contracts/{contractId}/participants</c>: a provider enrols its own pseudonymised participants under an
/// active contract that names it, one at a time or as JSON Lines; it reads only its own. The commissioner and its
/// auditors read all participants of their contracts.
/// </summary>
public static class ParticipantEndpoints
{
    public static WebApplication MapParticipants(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/contracts/{contractId}").WithTags("Participants").AuditReads();

        group.MapPost("/participants", EnrolParticipant).RequireAuthorization(Policies.Provider).RequireActiveContract()
            .WithName(nameof(EnrolParticipant))
            .WithSummary("Enrol a participant: the body is the participant record, checked against the template's participant schema (provider).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/participants:bulk", EnrolParticipantsInBulk).RequireAuthorization(Policies.Provider)
            .RequireJsonLines("participants").RequireActiveContract()
            .WithName(nameof(EnrolParticipantsInBulk))
            .WithSummary("Enrol many participants from JSON Lines (application/x-ndjson), one record per line; the answer says per line what was accepted or why not. Send an Idempotency-Key: a retry of the same bytes writes only what was not committed (provider).")
            .Accepts<string>(JsonLinesBody.MediaType)
            .WithBulkTimeout()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/participants", ListParticipants).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(ListParticipants))
            .WithSummary("List participants: a provider sees its own, the commissioner and auditors all of the contract.");
        group.MapGet("/participants/{participantId}", GetParticipant).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(GetParticipant))
            .WithSummary("Get one participant with its record; the ETag is its row version.");
        group.MapPut("/participants/{participantId}", CorrectParticipant).RequireAuthorization(Policies.Provider).RequireActiveContract()
            .WithName(nameof(CorrectParticipant))
            .WithSummary("Replace one of your participants' record (an exit, a correction); pseudonym and enrolment date stay; needs If-Match (provider).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return app;
    }

    public static async Task<Results<Created<ParticipantDto>, NotFound, ValidationProblem, ProblemHttpResult>> EnrolParticipant(
        string contractId, ActiveContract contract, JsonElement record, HttpContext context, ParticipantStore participants, CancellationToken cancellationToken)
    {
        var caller = contract.Caller;
        var intake = ParticipantIntake.Validate(contract.Template, record, caller.OrganisationId);
        if (!intake.IsValid)
        {
            return Problems.Validation(intake.Errors);
        }

        RequestAudit.Of(context)?.Names(intake.Value!.Pseudonym);
        var enrolment = await participants.EnrolAsync(caller, contractId, intake.Value!, cancellationToken).ConfigureAwait(false);
        return enrolment.Outcome switch
        {
            EnrolmentOutcome.Enrolled => TypedResults.Created(
                $"/api/contracts/{contractId}/participants/{enrolment.Participant!.Id}", ParticipantDto.From(enrolment.Participant)),
            EnrolmentOutcome.DuplicatePseudonym => Problems.Conflict("The contract already has a participant with this pseudonym."),
            EnrolmentOutcome.Unchanged => Problems.Conflict("You already enrolled this pseudonym with this very record; nothing was changed."),
            EnrolmentOutcome.ContractNotActive => Problems.Conflict("The contract is not active; participants are enrolled only under active contracts."),
            _ => TypedResults.NotFound(),
        };
    }

    public static async Task<Results<Ok<BulkResultDto>, ValidationProblem, ProblemHttpResult>> EnrolParticipantsInBulk(
        string contractId, ActiveContract contract, HttpContext context, ParticipantStore participants, BulkUploadStore uploads, IOptions<LimitOptions> limits,
        CancellationToken cancellationToken)
    {
        var (caller, template) = (contract.Caller, contract.Template);

        IReadOnlyList<CheckedLine<NewParticipant>> Check(IReadOnlyList<(int Number, string Text)> lines)
        {
            var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
            var checkedLines = new List<CheckedLine<NewParticipant>>(lines.Count);
            foreach (var (number, intake) in JsonLinesBody.CheckInParallel(lines, text => Validate(template, text, caller.OrganisationId, limits.Value.MaxJsonDepth), cancellationToken))
            {
                if (!intake.IsValid)
                {
                    checkedLines.Add(new(number, BulkLineDto.Rejected(number, intake.Errors), null));
                }
                else if (firstLineOf.TryGetValue(intake.Value!.Pseudonym, out var first))
                {
                    checkedLines.Add(new(number, BulkLineDto.Rejected(number, "$.pseudonym", $"The same pseudonym is already on line {first} of this upload."), null));
                }
                else
                {
                    firstLineOf[intake.Value.Pseudonym] = number;
                    checkedLines.Add(new(number, null, intake.Value));
                }
            }

            return checkedLines;
        }

        return await RetryableUpload.RunAsync(
            context,
            contractId,
            UploadKinds.Participants,
            caller,
            uploads,
            new UploadLines<NewParticipant, Enrolment>(
                Check,
                (items, progress) => participants.EnrolManyAsync(caller, contractId, items, progress, cancellationToken),
                (line, _, enrolment) => enrolment.Outcome switch
                {
                    EnrolmentOutcome.Enrolled => BulkLineDto.Accepted(line, enrolment.Participant!.Id),
                    EnrolmentOutcome.Unchanged => BulkLineDto.Unchanged(line, enrolment.UnchangedId!),
                    EnrolmentOutcome.DuplicatePseudonym => BulkLineDto.Rejected(line, "$.pseudonym", "The contract already has a participant with this pseudonym."),
                    EnrolmentOutcome.ContractNotActive => BulkLineDto.Rejected(line, "$", "The contract stopped being active during the upload."),
                    _ => BulkLineDto.Rejected(line, "$", "The contract is no longer available to you."),
                },
                (participant, enrolment) => enrolment.Outcome == EnrolmentOutcome.Enrolled ? participant.Pseudonym : null),
            cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Results<Ok<IReadOnlyList<ParticipantDto>>, NotFound, ValidationProblem>> ListParticipants(
        string contractId, RequestCaller caller, ContractStore contracts, ParticipantStore participants, CancellationToken cancellationToken,
        int limit = 100, int offset = 0)
    {
        if (limit is < 1 or > 1000 || offset < 0)
        {
            return Problems.Validation([new("limit", "Use 1 ≤ limit ≤ 1000 and offset ≥ 0.")]);
        }

        if (await contracts.GetAsync(caller.Caller, contractId, cancellationToken).ConfigureAwait(false) is null)
        {
            return TypedResults.NotFound();
        }

        var found = await participants.ListAsync(caller.Caller, contractId, limit, offset, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<ParticipantDto>>(found.Select(ParticipantDto.From).ToList());
    }

    public static async Task<Results<Ok<ParticipantDto>, NotFound>> GetParticipant(
        string contractId, string participantId, RequestCaller caller, ParticipantStore participants, HttpResponse response, CancellationToken cancellationToken)
    {
        var participant = await participants.GetAsync(caller.Caller, contractId, participantId, cancellationToken).ConfigureAwait(false);
        if (participant is null)
        {
            return TypedResults.NotFound();
        }

        response.Headers.ETag = RowVersionETag.Format(participant.RowVersion);
        return TypedResults.Ok(ParticipantDto.From(participant));
    }

    public static async Task<Results<Ok<ParticipantDto>, NotFound, ValidationProblem, ProblemHttpResult>> CorrectParticipant(
        [AsParameters] CorrectParticipantRequest request, ActiveContract contract, ParticipantStore participants, HttpResponse response, CancellationToken cancellationToken)
    {
        var (contractId, participantId, caller) = (request.ContractId, request.ParticipantId, contract.Caller);
        var current = await participants.GetAsync(caller, contractId, participantId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return TypedResults.NotFound();
        }

        if (!RowVersionETag.TryParse(request.IfMatch, out var expected))
        {
            return Problems.PreconditionRequired("Send If-Match with the ETag of the participant as you read it, so no one else's correction is overwritten.");
        }

        var intake = ParticipantIntake.Validate(contract.Template, request.Record, caller.OrganisationId);
        var errors = intake.Errors.ToList();
        if (intake.Value is { } corrected && corrected.Pseudonym != current.Pseudonym)
        {
            errors.Add(new("$.pseudonym", "The pseudonym cannot change; enrol a new participant for another one."));
        }

        if (intake.Value is { } changed && changed.EnrolmentDate != current.EnrolmentDate)
        {
            errors.Add(new("$.enrolmentDate", $"The enrolment date stays {current.EnrolmentDate:yyyy-MM-dd}: recorded measurements were placed in windows counted from it."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var change = await participants.CorrectRecordAsync(caller, contractId, participantId, expected, intake.Value!.Record, cancellationToken).ConfigureAwait(false);
        switch (change.Outcome)
        {
            case RecordChangeOutcome.Done:
                response.Headers.ETag = RowVersionETag.Format(change.Participant!.RowVersion);
                return TypedResults.Ok(ParticipantDto.From(change.Participant));
            case RecordChangeOutcome.Stale:
                return Problems.PreconditionFailed($"The participant changed since you read it; it is now at ETag {RowVersionETag.Format(change.Participant!.RowVersion)}.");
            case RecordChangeOutcome.ContractNotActive:
                return Problems.Conflict("The contract is not active; records are corrected only while it is active.");
            default:
                return TypedResults.NotFound();
        }
    }

    private static IntakeResult<NewParticipant> Validate(TemplateVersion template, string line, string providerId, int maxDepth)
    {
        var (document, error) = JsonInput.Parse(line, maxDepth);
        if (document is null)
        {
            return IntakeResult.Invalid<NewParticipant>([error!]);
        }

        using (document)
        {
            return ParticipantIntake.Validate(template, document.RootElement, providerId);
        }
    }
}

/// <summary>
/// A correction of one participant's record: the route, the record and the ETag it was read at. The active contract
/// is a parameter of its own beside this record, where <see cref="ActiveContractFilter"/> finds it.
/// </summary>
public sealed record CorrectParticipantRequest(
    [property: FromRoute(Name = "contractId")] string ContractId,
    [property: FromRoute(Name = "participantId")] string ParticipantId,
    [property: FromBody] JsonElement Record,
    [property: FromHeader(Name = "If-Match")] string? IfMatch);

/// <summary>A participant as the API shows it; <c>rowVersion</c> is also its ETag.</summary>
public sealed record ParticipantDto(
    string Id,
    string ContractId,
    string ProviderId,
    string Pseudonym,
    DateOnly EnrolmentDate,
    JsonElement Record,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    int RowVersion,
    DateTimeOffset UpdatedAt)
{
    public static ParticipantDto From(Participant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return new(participant.Id, participant.ContractId, participant.ProviderId, participant.Pseudonym, participant.EnrolmentDate,
            StoredJson.Parse(participant.Record), participant.CreatedAt, participant.CreatedBy, participant.RowVersion, participant.UpdatedAt);
    }
}
