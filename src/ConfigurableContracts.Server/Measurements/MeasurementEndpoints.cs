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
            .WithSummary("Record a measurement (or a correction: a new version) for one of your participants; checked against the measurement schema and the plan's window (provider).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/participants/{participantId}/measurements", ListMeasurements).RequireAuthorization(Policies.ContractReader)
            .WithName(nameof(ListMeasurements))
            .WithSummary("A participant's measurements: the latest version per point, or every version with ?history=true.");
        group.MapPost("/measurements:bulk", RecordMeasurementsInBulk).RequireAuthorization(Policies.Provider)
            .RequireJsonLines("measurements").RequireActiveContract()
            .WithName(nameof(RecordMeasurementsInBulk))
            .WithSummary("Record many measurements from JSON Lines (application/x-ndjson), matched to your participants by pseudonym; the answer says per line what was accepted or why not (provider).")
            .Accepts<string>(JsonLinesBody.MediaType)
            .WithBulkTimeout()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    public static async Task<Results<Created<MeasurementDto>, NotFound, ValidationProblem, ProblemHttpResult>> RecordMeasurement(
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

    public static async Task<Results<Ok<BulkResultDto>, NotFound, ProblemHttpResult>> RecordMeasurementsInBulk(
        string contractId,
        ActiveContract contract,
        HttpRequest request,
        ParticipantStore participants,
        MeasurementStore measurements,
        IOptions<LimitOptions> limits,
        CancellationToken cancellationToken)
    {
        var (caller, template) = (contract.Caller, contract.Template);

        // The caller's own participants only: a pseudonym of another provider's participant is simply unknown here.
        var enrolled = await participants.EnrolledAsync(caller, contractId, cancellationToken).ConfigureAwait(false);
        var lines = await JsonLinesBody.ReadAllAsync(request, cancellationToken).ConfigureAwait(false);
        if (lines is null)
        {
            return JsonLinesBody.TooManyLines();
        }

        var result = new BulkResultBuilder();
        var accepted = new List<(int Line, NewMeasurement Measurement)>();
        foreach (var (number, intake) in JsonLinesBody.CheckInParallel(lines, text => Validate(template, text, limits.Value.MaxJsonDepth), cancellationToken))
        {
            if (!intake.IsValid)
            {
                result.Add(BulkLineDto.Rejected(number, intake.Errors));
                continue;
            }

            var line = intake.Value!;
            if (!enrolled.TryGetValue(line.Pseudonym, out var participant))
            {
                result.Add(BulkLineDto.Rejected(number, "$.pseudonym", "None of your participants in this contract has this pseudonym."));
            }
            else if (MeasurementIntake.CheckWindow(line, participant.EnrolmentDate) is { } outside)
            {
                result.Add(BulkLineDto.Rejected(number, [outside]));
            }
            else
            {
                accepted.Add((number, new NewMeasurement(participant.Id, line.Point.Id, line.Date, line.Document)));
            }
        }

        var recordings = await measurements.RecordManyAsync(caller, contractId, accepted.Select(a => a.Measurement).ToList(), cancellationToken).ConfigureAwait(false);
        var pseudonymOf = enrolled.Values.ToDictionary(p => p.Id, p => p.Pseudonym, StringComparer.Ordinal);
        for (var i = 0; i < accepted.Count; i++)
        {
            var line = accepted[i].Line;
            result.Add(recordings[i].Outcome switch
            {
                RecordingOutcome.Recorded => BulkLineDto.Accepted(line, recordings[i].Id!),
                RecordingOutcome.ContractNotActive => BulkLineDto.Rejected(line, "$", "The contract stopped being active during the upload."),
                RecordingOutcome.ConcurrentCorrection => BulkLineDto.Rejected(line, "$.point", "Another correction of this point was recorded at the same moment; send the line again."),
                _ => BulkLineDto.Rejected(line, "$.pseudonym", "The participant is no longer available to you."),
            });
        }

        var built = result.Build();
        // One audit entry for the upload, naming the participants measured, instead of one entry per line.
        RequestAudit.Of(request.HttpContext)?.Concerns(
            accepted.Where((_, i) => recordings[i].Outcome == RecordingOutcome.Recorded).Select(a => pseudonymOf[a.Measurement.ParticipantId]).Distinct(StringComparer.Ordinal),
            $"lines={lines.Count} accepted={built.Accepted} rejected={built.Rejected}");
        return TypedResults.Ok(built);
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
