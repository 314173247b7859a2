using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Audit;
using ConfigurableContracts.Server.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConfigurableContracts.Server.Intake;

/// <summary>One line of an upload after its checks: rejected with its answer decided, or an item to write.</summary>
public sealed record CheckedLine<TItem>(int Line, BulkLineDto? Rejected, TItem? Item)
    where TItem : class;

/// <summary>What a bulk endpoint tells <see cref="RetryableUpload"/> about its kind of line.</summary>
/// <param name="Check">Checks lines (in line order; only those not committed before) and says which to write.</param>
/// <param name="Write">Writes the items, committing each chunk through the upload's progress.</param>
/// <param name="Answer">The answer for a written line from what the store said.</param>
/// <param name="WrittenPseudonym">The participant a line wrote a row about, or null when it wrote none.</param>
public sealed record UploadLines<TItem, TResult>(
    Func<IReadOnlyList<(int Number, string Text)>, IReadOnlyList<CheckedLine<TItem>>> Check,
    Func<IReadOnlyList<TItem>, UploadProgress<TResult>, Task<IReadOnlyList<TResult>>> Write,
    Func<int, TItem, TResult, BulkLineDto> Answer,
    Func<TItem, TResult, string?> WrittenPseudonym)
    where TItem : class;

/// <summary>
/// A JSON Lines upload a client can retry. The upload is named by the <c>Idempotency-Key</c> header or, without
/// one, by the SHA-256 of its body, within the caller's organisation and the contract. Lines are written in
/// chunks; each chunk commits together with the upload's progress (every line up to its last), its per-line answer
/// and an audit entry, so a crash or a dropped connection leaves an exact, audited prefix. Sending the same bytes
/// again writes only the lines after that prefix and answers for all of them; once complete, a re-send writes
/// nothing and gets the stored answer. The same key with another body is refused (422).
/// </summary>
public static class RetryableUpload
{
    public const string KeyHeader = "Idempotency-Key";

    /// <summary>Set to <c>true</c> on the answer to a re-send of a complete upload, which wrote nothing.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const int MaxKeyLength = 128;

    private static readonly JsonSerializerOptions StoredLines = JsonSerializerOptions.Web;

    public static async Task<Results<Ok<BulkResultDto>, ValidationProblem, ProblemHttpResult>> RunAsync<TItem, TResult>(
        HttpContext context, string contractId, string kind, Caller caller, BulkUploadStore uploads, UploadLines<TItem, TResult> lines, CancellationToken cancellationToken)
        where TItem : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(uploads);
        ArgumentNullException.ThrowIfNull(lines);
        if (!TryReadKey(context.Request, out var key, out var keyError))
        {
            return Problems.Validation([new(KeyHeader, keyError!)]);
        }

        var body = await JsonLinesBody.ReadUploadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return JsonLinesBody.TooManyLines();
        }

        var begin = await uploads.BeginAsync(caller, contractId, kind, key, body.Sha256, body.LineCount, cancellationToken).ConfigureAwait(false);
        var upload = begin.Upload;
        if (begin.Start == UploadStart.KeyReused)
        {
            return TypedResults.Problem(
                $"The Idempotency-Key '{key}' names another upload in this contract ({upload.Kind}, {upload.LineCount} lines, body SHA-256 {upload.BodySha256}), " +
                $"kept until {upload.ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'}; this body's SHA-256 is {body.Sha256}. To retry that upload send the same bytes again; " +
                "for a new upload use a new key.",
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency-Key reused with another body");
        }

        var stored = begin.CommittedLines.SelectMany(json => JsonSerializer.Deserialize<List<BulkLineDto>>(json, StoredLines)!).ToList();
        var resumedAfter = upload.CommittedThroughLine;
        if (begin.Start == UploadStart.Complete)
        {
            context.Response.Headers[ReplayedHeader] = "true";
            RequestAudit.Of(context)?.Concerns([], Detail(body.Lines.Count, stored, upload, resumedAfter, replayed: true));
            return TypedResults.Ok(Result(stored, upload, resumedAfter, replayed: true));
        }

        var remaining = body.Lines.Where(l => l.Number > resumedAfter).ToList();
        var checkedLines = lines.Check(remaining);
        var rejected = checkedLines.Where(c => c.Rejected is not null).Select(c => c.Rejected!).ToList();
        var accepted = checkedLines.Where(c => c.Item is not null).Select(c => (c.Line, Item: c.Item!)).ToList();

        // A chunk of written lines answers for every line from the one after the previous chunk through its own
        // last written line (the rejected lines between them included); the last chunk runs to the end of the body.
        IEnumerable<BulkLineDto> Answers(int start, IReadOnlyList<TResult> results) =>
            results.Select((result, i) => lines.Answer(accepted[start + i].Line, accepted[start + i].Item, result));

        UploadChunk Describe(int start, IReadOnlyList<TResult> results)
        {
            var first = start == 0 ? resumedAfter + 1 : accepted[start - 1].Line + 1;
            var end = start + results.Count;
            var last = end == accepted.Count ? body.LineCount : accepted[end - 1].Line;
            var answers = rejected.Where(r => r.Line >= first && r.Line <= last).Concat(Answers(start, results)).OrderBy(a => a.Line).ToList();
            var pseudonyms = results.Select((result, i) => lines.WrittenPseudonym(accepted[start + i].Item, result)).OfType<string>().ToList();
            var (acceptedCount, unchangedCount, rejectedCount) = Count(answers);
            // A chunk that wrote no row (every line rejected or unchanged) touched no participant's data: its progress
            // is kept, but the request's own entry is all the audit log needs about it.
            var entry = pseudonyms.Count == 0 ? null : ChunkEntry(
                context, contractId, pseudonyms,
                string.Create(CultureInfo.InvariantCulture, $"upload={upload.Id} lines={first}-{last} accepted={acceptedCount} unchanged={unchangedCount} rejected={rejectedCount}"));
            return new UploadChunk(first, last, acceptedCount, unchangedCount, rejectedCount, JsonSerializer.Serialize(answers, StoredLines), entry);
        }

        IReadOnlyList<TResult> written;
        try
        {
            if (accepted.Count > 0)
            {
                written = await lines.Write(accepted.Select(a => a.Item).ToList(), uploads.Progress<TResult>(upload, Describe)).ConfigureAwait(false);
            }
            else
            {
                written = [];
                await uploads.CommitAsync(upload, Describe(0, written), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (UploadTakenOverException)
        {
            return Problems.Conflict(
                $"Another request is writing this upload ({upload.UploadKey}) right now. Ask GET /api/contracts/{contractId}/uploads/{Uri.EscapeDataString(upload.UploadKey)} " +
                "and send the same body again once it is complete or has stopped moving.");
        }

        var all = stored.Concat(rejected).Concat(Answers(0, written)).OrderBy(a => a.Line).ToList();
        var now = await uploads.FindAsync(caller, contractId, upload.UploadKey, cancellationToken).ConfigureAwait(false) ?? upload;
        RequestAudit.Of(context)?.Concerns(
            accepted.Select((a, i) => lines.WrittenPseudonym(a.Item, written[i])).OfType<string>(),
            Detail(body.Lines.Count, all, now, resumedAfter, replayed: false));
        return TypedResults.Ok(Result(all, now, resumedAfter, replayed: false));
    }

    /// <summary>
    /// Reads the optional <c>Idempotency-Key</c>: 1 to 128 letters, digits, <c>-</c>, <c>.</c>, <c>_</c> or <c>~</c>
    /// (a UUID fits), so it can name the upload in a URL as it is.
    /// </summary>
    public static bool TryReadKey(HttpRequest request, out string? key, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        (key, error) = (null, null);
        var values = request.Headers[KeyHeader];
        if (values.Count == 0)
        {
            return true;
        }

        var text = values.Count == 1 ? values[0] : null;
        if (text is null || text.Length is 0 or > MaxKeyLength || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
        {
            error = $"Send one {KeyHeader} of 1 to {MaxKeyLength} ASCII letters, digits, '-', '.', '_' or '~' (a UUID, say), the same for every retry of one upload.";
            return false;
        }

        key = text;
        return true;
    }

    private static BulkResultDto Result(IReadOnlyList<BulkLineDto> lines, BulkUpload upload, int resumedAfter, bool replayed)
    {
        var (accepted, unchanged, rejected) = Count(lines);
        return new BulkResultDto(accepted, unchanged, rejected, resumedAfter, replayed, BulkUploadDto.From(upload), lines);
    }

    private static (int Accepted, int Unchanged, int Rejected) Count(IReadOnlyList<BulkLineDto> lines)
    {
        var accepted = lines.Count(l => l.Status == BulkLineDto.AcceptedStatus);
        var unchanged = lines.Count(l => l.Status == BulkLineDto.UnchangedStatus);
        return (accepted, unchanged, lines.Count - accepted - unchanged);
    }

    private static string Detail(int lineCount, IReadOnlyList<BulkLineDto> lines, BulkUpload upload, int resumedAfter, bool replayed)
    {
        var (accepted, unchanged, rejected) = Count(lines);
        var detail = string.Create(CultureInfo.InvariantCulture, $"lines={lineCount} accepted={accepted} rejected={rejected}");
        detail += unchanged > 0 ? string.Create(CultureInfo.InvariantCulture, $" unchanged={unchanged}") : "";
        detail += resumedAfter > 0 ? string.Create(CultureInfo.InvariantCulture, $" resumedAfterLine={resumedAfter}") : "";
        return detail + (replayed ? " replayed" : "") + $" upload={upload.Id}";
    }

    /// <summary>
    /// The audit entry committed with one chunk: who sent it and for which purpose (as the request's own entry will
    /// say), the participants whose rows it wrote, and which lines it committed.
    /// </summary>
    private static AuditEntry ChunkEntry(HttpContext context, string contractId, IReadOnlyCollection<string> pseudonyms, string detail)
    {
        var (subject, organisationId, role, authentication) = RequestAudit.Who(context.User);
        var endpoint = context.GetEndpoint();
        var pattern = endpoint is RouteEndpoint route ? route.RoutePattern.RawText : context.Request.Path.Value;
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? $"{context.Request.Method} {pattern}";
        return new AuditEntry(
            Subject: subject.Length <= AuditEntry.MaxSubjectLength ? subject : subject[..AuditEntry.MaxSubjectLength],
            OrganisationId: organisationId,
            Role: role,
            Action: action,
            Endpoint: $"{context.Request.Method} {pattern}",
            ContractId: contractId,
            ParticipantPseudonym: null,
            Purpose: RequestAudit.Of(context)?.Purpose,
            Outcome: "committed",
            Detail: detail,
            Authentication: authentication,
            RequestId: context.Features.Get<IHttpActivityFeature>()?.Activity.Id ?? Activity.Current?.Id ?? context.TraceIdentifier,
            Pseudonyms: pseudonyms);
    }
}
