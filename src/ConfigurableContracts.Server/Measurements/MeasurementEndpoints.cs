using System.Security.Claims;
using System.Text.Json;
using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;
using ConfigurableContracts.Core.Measurements;
using ConfigurableContracts.Core.Participants;
using ConfigurableContracts.Core.Templates;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Contracts;
using ConfigurableContracts.Server.Errors;
using ConfigurableContracts.Server.Intake;
using ConfigurableContracts.Server.Limits;
using ConfigurableContracts.Server.Participants;
using ConfigurableContracts.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Measurements;

/// <summary>
/// Measurements of participants at the points of the template's measurement plan. A provider records them for
/// its own participants, one at a time or as JSON Lines; a correction is a new version, never an overwrite.
/// Reads return the latest version of each point, or every version with <c>?history=true</c>.
/// </summary>
public static class MeasurementEndpoints
{
    public static WebApplication MapMeasurements(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/contracts/{contractId}").WithTags("Measurements").AuditReads();

        group.MapPost("/participants/{participantId}/measurements", RecordMeasurement).RequireAuthorization(Policies.Provider).RequireActiveContract()
            .WithName(nameof(RecordMeasurement))
            .WithSummary("Record a measurement (or a correction: a new version) for one of your participants; checked against the measurement schema and the plan's window; the same document as the current version is answered 200 with that version, not stored again (provider).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/participants/{participantId}/measurements", ListMeasurements).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(ListMeasurements))
            .WithSummary("A participant's measurements: the latest version per point, or every version with ?history=true.");
        group.MapPost("/measurements:bulk", RecordMeasurementsInBulk).RequireAuthorization(Policies.Provider)
            .RequireJsonLines("measurements").RequireActiveContract()
            .WithName(nameof(RecordMeasurementsInBulk))
            .WithSummary("Record many measurements from JSON Lines (application/x-ndjson), matched to your participants by pseudonym; the answer says per line what was accepted or why not. Send an Idempotency-Key: a retry of the same bytes writes only what was not committed (provider).")
            .Accepts<string>(JsonLinesBody.MediaType)
            .WithBulkTimeout()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    public static async Task<Results<Created<MeasurementDto>, Ok<MeasurementDto>, NotFound, ValidationProblem, ProblemHttpResult>> RecordMeasurement(
        string contractId,
        ActiveContract contract,
        string participantId,
        JsonElement document,
        HttpContext context,
        ParticipantStore participants,
        MeasurementStore measurements,
        CancellationToken cancellationToken)
    {
        var caller = contract.Caller;
        var participant = await participants.GetAsync(caller, contractId, participantId, cancellationToken).ConfigureAwait(false);
        if (participant is null)
        {
            return TypedResults.NotFound();
        }

        // The audit entry names this participant; handing it the pseudonym just read spares a second lookup.
        RequestAudit.Of(context)?.Names(participant.Pseudonym);

        var intake = MeasurementIntake.Validate(contract.Template, document);
        if (!intake.IsValid)
        {
            return Problems.Validation(intake.Errors);
        }

        var line = intake.Value!;
        if (Mismatch(line, participant) is { } error)
        {
            return Problems.Validation([error]);
        }

        var recording = await measurements.RecordAsync(
            caller, contractId, new NewMeasurement(participant.Id, line.Point.Id, line.Date, line.Document), cancellationToken).ConfigureAwait(false);
        if (recording.Outcome == RecordingOutcome.Unchanged)
        {
            // A re-sent measurement is no correction: the answer is the version that already holds this document.
            var current = (await measurements.HistoryAsync(caller, contractId, participant.Id, cancellationToken).ConfigureAwait(false)).Single(m => m.Id == recording.Id);
            return TypedResults.Ok(MeasurementDto.From(current));
        }

        return recording.Outcome switch
        {
            RecordingOutcome.Recorded => TypedResults.Created(
                $"/api/contracts/{contractId}/participants/{participant.Id}/measurements?history=true",
                new MeasurementDto(recording.Id!, participant.Id, line.Point.Id, recording.Version, line.Date, StoredJson.Parse(line.Document),
                    recording.RecordedAt!.Value, caller.ActorId)),
            RecordingOutcome.ContractNotActive => Problems.Conflict("The contract is not active; measurements are taken only while it is active."),
            RecordingOutcome.ConcurrentCorrection => Problems.Conflict("Another correction of this point was recorded at the same moment; send yours again."),
            _ => TypedResults.NotFound(),
        };
    }

    public static async Task<Results<Ok<IReadOnlyList<MeasurementDto>>, NotFound>> ListMeasurements(
        string contractId,
        string participantId,
        RequestCaller requestCaller,
        HttpContext context,
        ParticipantStore participants,
        MeasurementStore measurements,
        CancellationToken cancellationToken,
        bool history = false)
    {
        var caller = requestCaller.Caller;
        if (await participants.GetAsync(caller, contractId, participantId, cancellationToken).ConfigureAwait(false) is not { } participant)
        {
            return TypedResults.NotFound();
        }

        RequestAudit.Of(context)?.Names(participant.Pseudonym);

        var found = history
            ? await measurements.HistoryAsync(caller, contractId, participantId, cancellationToken).ConfigureAwait(false)
            : await measurements.LatestAsync(caller, contractId, participantId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<MeasurementDto>>(found.Select(MeasurementDto.From).ToList());
    }

    public static async Task<Results<Ok<BulkResultDto>, ValidationProblem, ProblemHttpResult>> RecordMeasurementsInBulk(
        string contractId,
        ActiveContract contract,
        HttpContext context,
        ParticipantStore participants,
        MeasurementStore measurements,
        BulkUploadStore uploads,
        IOptions<LimitOptions> limits,
        CancellationToken cancellationToken)
    {
        var (caller, template) = (contract.Caller, contract.Template);

        // The caller's own participants only: a pseudonym of another provider's participant is simply unknown here.
        var enrolled = await participants.EnrolledAsync(caller, contractId, cancellationToken).ConfigureAwait(false);
        var pseudonymOf = enrolled.Values.ToDictionary(p => p.Id, p => p.Pseudonym, StringComparer.Ordinal);

        IReadOnlyList<CheckedLine<NewMeasurement>> Check(IReadOnlyList<(int Number, string Text)> lines) =>
            JsonLinesBody.CheckInParallel(lines, text => Validate(template, text, limits.Value.MaxJsonDepth), cancellationToken)
                .Select(l => Match(l.Number, l.Checked, enrolled))
                .ToList();

        return await RetryableUpload.RunAsync(
            context,
            contractId,
            UploadKinds.Measurements,
            caller,
            uploads,
            new UploadLines<NewMeasurement, Recording>(
                Check,
                (items, progress) => measurements.RecordManyAsync(caller, contractId, items, progress, cancellationToken),
                (line, _, recording) => recording.Outcome switch
                {
                    RecordingOutcome.Recorded => BulkLineDto.Accepted(line, recording.Id!),
                    RecordingOutcome.Unchanged => BulkLineDto.Unchanged(line, recording.Id!),
                    RecordingOutcome.ContractNotActive => BulkLineDto.Rejected(line, "$", "The contract stopped being active during the upload."),
                    RecordingOutcome.ConcurrentCorrection => BulkLineDto.Rejected(line, "$.point", "Another correction of this point was recorded at the same moment; send the line again."),
                    _ => BulkLineDto.Rejected(line, "$.pseudonym", "The participant is no longer available to you."),
                },
                (measurement, recording) => recording.Outcome == RecordingOutcome.Recorded ? pseudonymOf[measurement.ParticipantId] : null),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A checked line matched to one of the caller's participants and its measurement window.</summary>
    private static CheckedLine<NewMeasurement> Match(int number, IntakeResult<MeasurementLine> intake, IReadOnlyDictionary<string, EnrolledParticipant> enrolled)
    {
        if (!intake.IsValid)
        {
            return new(number, BulkLineDto.Rejected(number, intake.Errors), null);
        }

        var line = intake.Value!;
        if (!enrolled.TryGetValue(line.Pseudonym, out var participant))
        {
            return new(number, BulkLineDto.Rejected(number, "$.pseudonym", "None of your participants in this contract has this pseudonym."), null);
        }

        return MeasurementIntake.CheckWindow(line, participant.EnrolmentDate) is { } outside
            ? new(number, BulkLineDto.Rejected(number, [outside]), null)
            : new(number, null, new NewMeasurement(participant.Id, line.Point.Id, line.Date, line.Document));
    }

    private static DocumentError? Mismatch(MeasurementLine line, Participant participant) =>
        line.Pseudonym != participant.Pseudonym
            ? new DocumentError("$.pseudonym", $"This is not the pseudonym of participant {participant.Id}.")
            : MeasurementIntake.CheckWindow(line, participant.EnrolmentDate);

    private static IntakeResult<MeasurementLine> Validate(TemplateVersion template, string line, int maxDepth)
    {
        var (document, error) = JsonInput.Parse(line, maxDepth);
        if (document is null)
        {
            return IntakeResult.Invalid<MeasurementLine>([error!]);
        }

        using (document)
        {
            return MeasurementIntake.Validate(template, document.RootElement);
        }
    }
}

/// <summary>One version of a measurement as the API shows it.</summary>
public sealed record MeasurementDto(
    string Id, string ParticipantId, string Point, int Version, DateOnly MeasuredOn, JsonElement Document, DateTimeOffset RecordedAt, string RecordedBy)
{
    public static MeasurementDto From(Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        return new(measurement.Id, measurement.ParticipantId, measurement.Point, measurement.Version, measurement.MeasuredOn,
            StoredJson.Parse(measurement.Document), measurement.RecordedAt, measurement.RecordedBy);
    }
}
