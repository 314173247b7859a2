using System.Data.Common;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Intake;

/// <summary>What a bulk upload holds; the value stored in <c>bulk_uploads.kind</c>.</summary>
public static class UploadKinds
{
    public const string Participants = "participants";
    public const string Measurements = "measurements";
}

/// <summary>
/// One bulk upload as the server keeps it for retries: which body it was (SHA-256), how far it is committed
/// (every line up to <see cref="CommittedThroughLine"/>), the running counts, and until when a retry is recognised.
/// </summary>
public sealed record BulkUpload(
    string Id,
    string OrganisationId,
    string ContractId,
    string Kind,
    string UploadKey,
    string BodySha256,
    int LineCount,
    int CommittedThroughLine,
    int Accepted,
    int Unchanged,
    int Rejected,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset ExpiresAt)
{
    public bool IsComplete => CompletedAt is not null;
}

/// <summary>How a request's upload relates to what the server already holds.</summary>
public enum UploadStart
{
    /// <summary>Not seen before: every line is to be written.</summary>
    New,

    /// <summary>Seen, interrupted: the lines after <see cref="BulkUpload.CommittedThroughLine"/> are to be written.</summary>
    Resume,

    /// <summary>Seen and complete: nothing is written; the stored answer is the answer.</summary>
    Complete,

    /// <summary>The Idempotency-Key names an upload of another body (or to the other endpoint): refused.</summary>
    KeyReused,
}

/// <summary>
/// The upload a request continues, and the stored answer lines (JSON arrays, in line order) for its committed part.
/// </summary>
public sealed record UploadBegin(UploadStart Start, BulkUpload Upload, IReadOnlyList<string> CommittedLines);

/// <summary>
/// One chunk of an upload to commit with its rows: file lines <see cref="FirstLine"/>..<see cref="LastLine"/>,
/// their counts, their answer (<see cref="Lines"/>, a JSON array the server reads back verbatim on a retry) and
/// the audit entry that says which participants' rows they wrote (null when they wrote none).
/// </summary>
public sealed record UploadChunk(int FirstLine, int LastLine, int Accepted, int Unchanged, int Rejected, string Lines, AuditEntry? Audit);

/// <summary>Thrown inside a chunk's transaction when another request committed this upload's next chunk first.</summary>
public sealed class UploadTakenOverException : Exception
{
    public UploadTakenOverException()
        : base("Another request is writing this upload.")
    {
    }

    public UploadTakenOverException(string message)
        : base(message)
    {
    }

    public UploadTakenOverException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// What a bulk write needs to make its chunks resumable: the upload and, for the chunk of written lines starting at
/// a given index, the <see cref="UploadChunk"/> to commit with them. Made by <see cref="BulkUploadStore.Progress"/>.
/// </summary>
public sealed class UploadProgress<TResult>
{
    private readonly BulkUploadStore _store;
    private readonly Func<int, IReadOnlyList<TResult>, UploadChunk> _describe;

    internal UploadProgress(BulkUploadStore store, BulkUpload upload, Func<int, IReadOnlyList<TResult>, UploadChunk> describe)
    {
        _store = store;
        Upload = upload;
        _describe = describe;
    }

    public BulkUpload Upload { get; }

    internal Task CommitAsync(LineWriter writer, int start, IReadOnlyList<TResult> results) =>
        _store.CommitChunkAsync(writer.Connection, writer.Transaction, Upload, _describe(start, results), writer.CancellationToken);
}

/// <summary>
/// Bulk uploads a client can retry (<c>bulk_uploads</c>, <c>bulk_upload_chunks</c>). An upload is named by the
/// client's <c>Idempotency-Key</c> or, without one, by its body's SHA-256, within the caller's organisation and the
/// contract. Chunks commit with their progress, answer and audit entry in one transaction, so after a crash the
/// stored progress is exactly what was committed, and a retry of the same bytes writes only the rest.
/// </summary>
public sealed class BulkUploadStore(DbConnectionFactory connections, AuditLog audit, TimeProvider time)
{
    /// <summary>How long after its last change an upload is recognised; later, the same key starts a new upload.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The prefix of the name of an upload sent without an Idempotency-Key; client keys cannot start with it.</summary>
    public const string BodyKeyPrefix = "sha256:";

    private const string Columns =
        """
        id AS Id, organisation_id AS OrganisationId, contract_id AS ContractId, kind AS Kind, upload_key AS UploadKey, body_sha256 AS BodySha256,
        line_count AS LineCount, committed_through_line AS CommittedThroughLine, accepted AS Accepted, unchanged AS Unchanged, rejected AS Rejected,
        created_at AS CreatedAt, created_by AS CreatedBy, updated_at AS UpdatedAt, completed_at AS CompletedAt, expires_at AS ExpiresAt
        """;

    /// <summary>The name of an upload sent without a key.</summary>
    public static string BodyKey(string bodySha256) => BodyKeyPrefix + bodySha256;

    /// <summary>
    /// Finds the upload this request continues or starts it. With a key: the upload of that key in this contract (of
    /// either kind), which must be of the same body and kind. Without: the latest upload of the same body and kind.
    /// Expired uploads of the caller's organisation are removed first.
    /// </summary>
    public async Task<UploadBegin> BeginAsync(
        Caller caller, string contractId, string kind, string? idempotencyKey, string bodySha256, int lineCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await RemoveExpiredAsync(connection, caller.OrganisationId, now, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var existing = idempotencyKey is not null
                ? await FindAsync(connection, "upload_key = @Key", caller.OrganisationId, contractId, new { Key = idempotencyKey }, cancellationToken).ConfigureAwait(false)
                : await FindAsync(connection, "kind = @Kind AND body_sha256 = @Sha", caller.OrganisationId, contractId, new { Kind = kind, Sha = bodySha256 }, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (existing.Kind != kind || existing.BodySha256 != bodySha256)
                {
                    return new UploadBegin(UploadStart.KeyReused, existing, []);
                }

                var lines = await connection.QueryAsync<string>(new CommandDefinition(
                    "SELECT lines FROM bulk_upload_chunks WHERE upload_id = @Id ORDER BY first_line",
                    new { existing.Id },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                return new UploadBegin(existing.IsComplete ? UploadStart.Complete : UploadStart.Resume, existing, lines.AsList());
            }

            var upload = new BulkUpload(
                Guid.CreateVersion7().ToString("N"), caller.OrganisationId, contractId, kind, idempotencyKey ?? BodyKey(bodySha256), bodySha256, lineCount,
                0, 0, 0, 0, now, caller.ActorId, now, null, now + Lifetime);
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO bulk_uploads (id, organisation_id, contract_id, kind, upload_key, body_sha256, line_count, committed_through_line,
                                              accepted, unchanged, rejected, created_at, created_by, updated_at, completed_at, expires_at)
                    VALUES (@Id, @OrganisationId, @ContractId, @Kind, @UploadKey, @BodySha256, @LineCount, @CommittedThroughLine,
                            @Accepted, @Unchanged, @Rejected, @CreatedAt, @CreatedBy, @UpdatedAt, @CompletedAt, @ExpiresAt)
                    """,
                    upload,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                return new UploadBegin(UploadStart.New, upload, []);
            }
            catch (DbException exception) when (DbErrors.IsUniqueViolation(exception))
            {
                // A request with the same key started it a moment ago: continue that upload instead (its chunks are
                // claimed one at a time, so the two cannot both write one).
            }
        }
    }

    /// <summary>The caller's organisation's latest upload of this name (a key, or <c>sha256:</c> and a body hash) in the contract.</summary>
    public async Task<BulkUpload?> FindAsync(Caller caller, string contractId, string uploadKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var found = await FindAsync(connection, "upload_key = @Key", caller.OrganisationId, contractId, new { Key = uploadKey }, cancellationToken).ConfigureAwait(false);
        return found is not null && found.ExpiresAt > time.GetUtcNow() ? found : null;
    }

    /// <summary>Chunks of the upload commit through <paramref name="describe"/>'s answer for them.</summary>
    public UploadProgress<TResult> Progress<TResult>(BulkUpload upload, Func<int, IReadOnlyList<TResult>, UploadChunk> describe) => new(this, upload, describe);

    /// <summary>Commits a chunk that wrote no rows (the rejected lines at the end of an upload) on its own transaction.</summary>
    public async Task CommitAsync(BulkUpload upload, UploadChunk chunk, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await CommitChunkAsync(connection, transaction, upload, chunk, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task CommitChunkAsync(DbConnection connection, DbTransaction transaction, BulkUpload upload, UploadChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(chunk);
        var now = time.GetUtcNow();
        // Moves on only from the line this chunk follows: a second request resuming the same upload at the same time
        // finds the line moved and rolls its chunk back, so no line is ever committed twice.
        var moved = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE bulk_uploads
            SET committed_through_line = @LastLine, accepted = accepted + @Accepted, unchanged = unchanged + @Unchanged, rejected = rejected + @Rejected,
                updated_at = @Now, expires_at = @ExpiresAt, completed_at = @CompletedAt
            WHERE id = @Id AND committed_through_line = @Expected
            """,
            new
            {
                chunk.LastLine, chunk.Accepted, chunk.Unchanged, chunk.Rejected, Now = now, ExpiresAt = now + Lifetime,
                CompletedAt = chunk.LastLine >= upload.LineCount ? now : (DateTimeOffset?)null, upload.Id, Expected = chunk.FirstLine - 1,
            },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (moved != 1)
        {
            throw new UploadTakenOverException();
        }

        if (chunk.FirstLine <= chunk.LastLine)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO bulk_upload_chunks (upload_id, first_line, last_line, lines) VALUES (@Id, @FirstLine, @LastLine, @Lines)",
                new { upload.Id, chunk.FirstLine, chunk.LastLine, chunk.Lines },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        if (chunk.Audit is not null)
        {
            await audit.AppendInTransactionAsync(connection, transaction, connections.Dialect, chunk.Audit, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<BulkUpload?> FindAsync(
        DbConnection connection, string filter, string organisationId, string contractId, object parameters, CancellationToken cancellationToken)
    {
        var arguments = new DynamicParameters(parameters);
        arguments.Add(TenantScope.Parameter, organisationId);
        arguments.Add("@ContractId", contractId);
        var rows = await connection.QueryAsync<UploadRow>(new CommandDefinition(
            $"SELECT {Columns} FROM bulk_uploads WHERE organisation_id = {TenantScope.Parameter} AND contract_id = @ContractId AND {filter} ORDER BY created_at DESC",
            arguments,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.FirstOrDefault()?.ToUpload();
    }

    private static async Task RemoveExpiredAsync(DbConnection connection, string organisationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var arguments = new DynamicParameters(new { Now = now });
        arguments.Add(TenantScope.Parameter, organisationId);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            DELETE FROM bulk_upload_chunks WHERE upload_id IN (SELECT id FROM bulk_uploads WHERE organisation_id = {TenantScope.Parameter} AND expires_at <= @Now);
            DELETE FROM bulk_uploads WHERE organisation_id = {TenantScope.Parameter} AND expires_at <= @Now;
            """,
            arguments,
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class UploadRow
    {
        public string Id { get; set; } = "";

        public string OrganisationId { get; set; } = "";

        public string ContractId { get; set; } = "";

        public string Kind { get; set; } = "";

        public string UploadKey { get; set; } = "";

        public string BodySha256 { get; set; } = "";

        public int LineCount { get; set; }

        public int CommittedThroughLine { get; set; }

        public int Accepted { get; set; }

        public int Unchanged { get; set; }

        public int Rejected { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        public DateTimeOffset UpdatedAt { get; set; }

        public DateTimeOffset? CompletedAt { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public BulkUpload ToUpload() => new(
            Id, OrganisationId, ContractId, Kind, UploadKey, BodySha256, LineCount, CommittedThroughLine, Accepted, Unchanged, Rejected,
            CreatedAt, CreatedBy, UpdatedAt, CompletedAt, ExpiresAt);
    }
}
