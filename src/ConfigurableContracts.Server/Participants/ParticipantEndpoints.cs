using System.Security.Claims;
using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Intake;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

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
        var group = app.MapGroup("/api/contracts/{contractId}").WithTags("Participants");

        group.MapPost("/participants", EnrolParticipant).RequireAuthorization(Policies.Provider)
            .WithName(nameof(EnrolParticipant))
            .WithSummary("Enrol a participant: the body is the participant record, checked against the template's participant schema (provider).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/participants:bulk", EnrolParticipantsInBulk).RequireAuthorization(Policies.Provider)
            .WithName(nameof(EnrolParticipantsInBulk))
            .WithSummary("Enrol many participants from JSON Lines (application/x-ndjson), one record per line; the answer says per line what was accepted or why not (provider).")
            .Accepts<string>(JsonLinesBody.MediaType)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/participants", ListParticipants).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(ListParticipants))
            .WithSummary("List participants: a provider sees its own, the commissioner and auditors all of the contract.");
        group.MapGet("/participants/{participantId}", GetParticipant).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(GetParticipant))
            .WithSummary("Get one participant with its record.");
        return app;
    }

    public static async Task<Results<Created<ParticipantDto>, NotFound, ValidationProblem, ProblemHttpResult>> EnrolParticipant(
        string contractId,
        JsonElement record,
        ClaimsPrincipal user,
        TemplateCatalog catalog,
        ContractStore contracts,
        ParticipantStore participants,
        CancellationToken cancellationToken)
    {
        var caller = user.ToCaller();
        var (template, refusal) = await ActiveContractTemplateAsync(caller, contractId, catalog, contracts, cancellationToken).ConfigureAwait(false);
        if (template is null)
        {
            return refusal is null ? TypedResults.NotFound() : refusal;
        }

        var intake = ParticipantIntake.Validate(template, record, caller.OrganisationId);
        if (!intake.IsValid)
        {
            return Problems.Validation(intake.Errors.Select(e => new KeyValuePair<string, string>(e.Path, e.Message)));
        }

        var enrolment = await participants.EnrolAsync(caller, contractId, intake.Value!, cancellationToken).ConfigureAwait(false);
        return enrolment.Outcome switch
        {
            EnrolmentOutcome.Enrolled => TypedResults.Created(
                $"/api/contracts/{contractId}/participants/{enrolment.Participant!.Id}", ParticipantDto.From(enrolment.Participant)),
            EnrolmentOutcome.DuplicatePseudonym => Problems.Conflict($"The contract already has a participant '{intake.Value!.Pseudonym}'."),
            EnrolmentOutcome.ContractNotActive => Problems.Conflict("The contract is not active; participants are enrolled only under active contracts."),
            _ => TypedResults.NotFound(),
        };
    }

    public static async Task<Results<Ok<BulkResultDto>, NotFound, ProblemHttpResult>> EnrolParticipantsInBulk(
        string contractId,
        HttpRequest request,
        ClaimsPrincipal user,
        TemplateCatalog catalog,
        ContractStore contracts,
        ParticipantStore participants,
        CancellationToken cancellationToken)
    {
        if (!JsonLinesBody.HasJsonLinesContent(request))
        {
            return Problems.UnsupportedMediaType($"Send the participants as JSON Lines with Content-Type {JsonLinesBody.MediaType}.");
        }

        var caller = user.ToCaller();
        var (template, refusal) = await ActiveContractTemplateAsync(caller, contractId, catalog, contracts, cancellationToken).ConfigureAwait(false);
        if (template is null)
        {
            return refusal is null ? TypedResults.NotFound() : refusal;
        }

        var lines = await JsonLinesBody.ReadAllAsync(request, cancellationToken).ConfigureAwait(false);
        if (lines is null)
        {
            return TooManyLines();
        }

        var result = new BulkResultBuilder();
        var accepted = new List<(int Line, NewParticipant Participant)>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (number, intake) in JsonLinesBody.CheckInParallel(lines, text => Validate(template, text, caller.OrganisationId), cancellationToken))
        {
            if (!intake.IsValid)
            {
                result.Add(BulkLineDto.Rejected(number, intake.Errors.Select(e => new BulkErrorDto(e.Path, e.Message)).ToList()));
            }
            else if (firstLineOf.TryGetValue(intake.Value!.Pseudonym, out var first))
            {
                result.Add(BulkLineDto.Rejected(number, "$.pseudonym", $"Pseudonym '{intake.Value.Pseudonym}' is already on line {first} of this upload."));
            }
            else
            {
                firstLineOf[intake.Value.Pseudonym] = number;
                accepted.Add((number, intake.Value));
            }
        }

        var enrolments = await participants.EnrolManyAsync(caller, contractId, accepted.Select(a => a.Participant).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < accepted.Count; i++)
        {
            var (line, participant) = accepted[i];
            result.Add(enrolments[i].Outcome switch
            {
                EnrolmentOutcome.Enrolled => BulkLineDto.Accepted(line, enrolments[i].Participant!.Id),
                EnrolmentOutcome.DuplicatePseudonym => BulkLineDto.Rejected(line, "$.pseudonym", $"The contract already has a participant '{participant.Pseudonym}'."),
                EnrolmentOutcome.ContractNotActive => BulkLineDto.Rejected(line, "$", "The contract stopped being active during the upload."),
                _ => BulkLineDto.Rejected(line, "$", "The contract is no longer available to you."),
            });
        }

        return TypedResults.Ok(result.Build());
    }

    public static async Task<Results<Ok<IReadOnlyList<ParticipantDto>>, NotFound, ValidationProblem>> ListParticipants(
        string contractId, ClaimsPrincipal user, ContractStore contracts, ParticipantStore participants, CancellationToken cancellationToken,
        int limit = 100, int offset = 0)
    {
        if (limit is < 1 or > 1000 || offset < 0)
        {
            return Problems.Validation([new("limit", "Use 1 ≤ limit ≤ 1000 and offset ≥ 0.")]);
        }

        var caller = user.ToCaller();
        if (await contracts.GetAsync(caller, contractId, cancellationToken).ConfigureAwait(false) is null)
        {
            return TypedResults.NotFound();
        }

        var found = await participants.ListAsync(caller, contractId, limit, offset, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<ParticipantDto>>(found.Select(ParticipantDto.From).ToList());
    }

    public static async Task<Results<Ok<ParticipantDto>, NotFound>> GetParticipant(
        string contractId, string participantId, ClaimsPrincipal user, ParticipantStore participants, CancellationToken cancellationToken)
    {
        var participant = await participants.GetAsync(user.ToCaller(), contractId, participantId, cancellationToken).ConfigureAwait(false);
        return participant is null ? TypedResults.NotFound() : TypedResults.Ok(ParticipantDto.From(participant));
    }

    /// <summary>
    /// The template to validate against, when the contract is visible to the caller and active; otherwise null
    /// and the refusal (null refusal: not found).
    /// </summary>
    internal static async Task<(TemplateVersion? Template, ProblemHttpResult? Refusal)> ActiveContractTemplateAsync(
        Core.Security.Caller caller, string contractId, TemplateCatalog catalog, ContractStore contracts, CancellationToken cancellationToken)
    {
        var contract = await contracts.GetAsync(caller, contractId, cancellationToken).ConfigureAwait(false);
        if (contract is null)
        {
            return (null, null);
        }

        if (contract.Status != ContractStatus.Active)
        {
            return (null, Problems.Conflict($"The contract is {contract.Status}; participants and measurements are taken only while it is active."));
        }

        return ContractTemplates.For(catalog, contract) is { } template
            ? (template, null)
            : (null, Problems.Conflict($"Template {contract.TemplateId} {contract.TemplateVersion} is not loaded, so documents cannot be checked; see GET /api/templates/{contract.TemplateId}/diagnostics."));
    }

    internal static ProblemHttpResult TooManyLines() =>
        TypedResults.Problem(
            $"An upload holds at most {JsonLinesBody.MaxLines} lines; split the file.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many lines");

    private static IntakeResult<NewParticipant> Validate(TemplateVersion template, string line, string providerId)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return ParticipantIntake.Validate(template, document.RootElement, providerId);
        }
        catch (JsonException exception)
        {
            return IntakeResult.Invalid<NewParticipant>([new DocumentError("$", $"The line is not valid JSON: {exception.Message}")]);
        }
    }
}

/// <summary>A participant as the API shows it.</summary>
public sealed record ParticipantDto(
    string Id, string ContractId, string ProviderId, string Pseudonym, DateOnly EnrolmentDate, JsonElement Record, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static ParticipantDto From(Participant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return new(participant.Id, participant.ContractId, participant.ProviderId, participant.Pseudonym, participant.EnrolmentDate,
            StoredJson.Parse(participant.Record), participant.CreatedAt, participant.CreatedBy);
    }
}
