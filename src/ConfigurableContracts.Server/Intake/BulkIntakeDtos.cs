using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Server.Intake;

/// <summary>
/// The answer to a bulk upload: per line, accepted (with the new id), unchanged (already stored exactly so: the id
/// of what is stored) or rejected (with every reason); and the upload as the server keeps it for retries.
/// <c>resumedAfterLine</c> is the last line committed by earlier requests with this upload (0 when none), whose
/// entries come from the stored answer; <c>replayed</c> is true when the upload was already complete and nothing
/// was written.
/// </summary>
public sealed record BulkResultDto(
    int Accepted, int Unchanged, int Rejected, int ResumedAfterLine, bool Replayed, BulkUploadDto? Upload, IReadOnlyList<BulkLineDto> Lines);

/// <summary>
/// One bulk upload as the server keeps it for retries (<c>GET /api/contracts/{contractId}/uploads/{uploadKey}</c>):
/// every line up to <c>committedThroughLine</c> is committed, counted and audited; <c>complete</c> once the last one is.
/// <c>key</c> is the Idempotency-Key sent, or <c>sha256:</c> and the body's hash when none was.
/// </summary>
public sealed record BulkUploadDto(
    string Id,
    string Kind,
    string Key,
    string BodySha256,
    int Lines,
    int CommittedThroughLine,
    bool Complete,
    int Accepted,
    int Unchanged,
    int Rejected,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ExpiresAt)
{
    public static BulkUploadDto From(BulkUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return new(upload.Id, upload.Kind, upload.UploadKey, upload.BodySha256, upload.LineCount, upload.CommittedThroughLine, upload.IsComplete,
            upload.Accepted, upload.Unchanged, upload.Rejected, upload.CreatedAt, upload.UpdatedAt, upload.ExpiresAt);
    }
}

/// <summary>One line's outcome. <c>status</c> is <c>accepted</c>, <c>unchanged</c> or <c>rejected</c>.</summary>
public sealed record BulkLineDto(int Line, string Status, string? Id, IReadOnlyList<BulkErrorDto>? Errors)
{
    public const string AcceptedStatus = "accepted";
    public const string UnchangedStatus = "unchanged";
    public const string RejectedStatus = "rejected";

    public static BulkLineDto Accepted(int line, string id) => new(line, AcceptedStatus, id, null);

    /// <summary>The line's content is already stored exactly so (a re-sent line): nothing was written; <paramref name="id"/> is what is stored.</summary>
    public static BulkLineDto Unchanged(int line, string id) => new(line, UnchangedStatus, id, null);

    public static BulkLineDto Rejected(int line, IEnumerable<DocumentError> errors) =>
        new(line, RejectedStatus, null, errors.Select(BulkErrorDto.From).ToList());

    public static BulkLineDto Rejected(int line, string path, string message) => Rejected(line, [new DocumentError(path, message)]);
}

/// <summary>
/// Why a line was rejected: the JSON path within the line and what is wrong there. The wire shape of a
/// <see cref="DocumentError"/>, kept as its own DTO so the OpenAPI document names the bulk answer's parts.
/// </summary>
public sealed record BulkErrorDto(string Path, string Message)
{
    public static BulkErrorDto From(DocumentError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new BulkErrorDto(error.Path, error.Message);
    }
}
