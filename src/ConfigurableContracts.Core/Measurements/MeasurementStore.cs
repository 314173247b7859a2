using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Measurements;

/// <summary>
/// Measurements, versioned and always through a <see cref="Caller"/>: a provider records and reads measurements of
/// its own participants only (the participant's <c>provider_id</c> is checked in the statement); a commissioner
/// or auditor reads those under its own contracts.
/// </summary>
public sealed class MeasurementStore(DbConnectionFactory connections, TimeProvider time)
{
    private const string Columns =
        """
        m.id AS Id, m.participant_id AS ParticipantId, m.contract_id AS ContractId, m.provider_id AS ProviderId, m.point AS Point,
        m.version AS Version, m.measured_on AS MeasuredOn, m.document AS Document, m.recorded_at AS RecordedAt, m.recorded_by AS RecordedBy
        """;

    // The next version is computed in the statement; the unique (participant, point, version) index turns a race
    // between two corrections into an error for one of them rather than two rows claiming the same version. A
    // document equal to the point's current version is no correction, so it writes nothing (see UnchangedSql).
    private static readonly string RecordSql =
        $"""
        INSERT INTO measurements (id, participant_id, contract_id, provider_id, point, version, measured_on, document, recorded_at, recorded_by)
        SELECT @Id, p.id, p.contract_id, p.provider_id, @Point,
               COALESCE((SELECT MAX(v.version) FROM measurements v WHERE v.participant_id = p.id AND v.point = @Point), 0) + 1,
               @MeasuredOn, @Document, @Now, @Actor
        FROM participants p
        JOIN contracts c ON c.id = p.contract_id
        WHERE p.id = @ParticipantId AND p.contract_id = @ContractId AND {TenantScope.Delivers("p")} AND c.status = 'active'
          AND NOT EXISTS (
              SELECT 1 FROM measurements l
              WHERE l.participant_id = p.id AND l.point = @Point AND l.document = @Document
                AND l.version = (SELECT MAX(v.version) FROM measurements v WHERE v.participant_id = p.id AND v.point = @Point))
        """;

    // Asked only when nothing was inserted: the current version's id when it holds this very document.
    private static readonly string UnchangedSql =
        $"""
        SELECT l.id FROM measurements l
        JOIN contracts c ON c.id = l.contract_id
        WHERE l.participant_id = @ParticipantId AND l.contract_id = @ContractId AND {TenantScope.Delivers("l")} AND c.status = 'active'
          AND l.point = @Point AND l.document = @Document
          AND l.version = (SELECT MAX(v.version) FROM measurements v WHERE v.participant_id = @ParticipantId AND v.point = @Point)
        """;

    /// <summary>Records one measurement; the answer carries the version it became.</summary>
    public async Task<Recording> RecordAsync(Caller caller, string contractId, NewMeasurement measurement, CancellationToken cancellationToken = default) =>
        (await RecordAsync(caller, contractId, [measurement], readVersions: true, upload: null, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Records each measurement on its own (see <see cref="AtomicLines"/>); results in the order given. Versions
    /// are not read back (reported as 0): a bulk answer names ids, and one query less per line matters at 100 000.
    /// </summary>
    public Task<IReadOnlyList<Recording>> RecordManyAsync(
        Caller caller, string contractId, IReadOnlyList<NewMeasurement> measurements, CancellationToken cancellationToken = default) =>
        RecordAsync(caller, contractId, measurements, readVersions: false, upload: null, cancellationToken);

    /// <summary>
    /// As <see cref="RecordManyAsync(Caller, string, IReadOnlyList{NewMeasurement}, CancellationToken)"/>; with
    /// <paramref name="upload"/>, each chunk commits together with the upload's progress and audit entry.
    /// </summary>
    public Task<IReadOnlyList<Recording>> RecordManyAsync(
        Caller caller, string contractId, IReadOnlyList<NewMeasurement> measurements, UploadProgress<Recording>? upload, CancellationToken cancellationToken = default) =>
        RecordAsync(caller, contractId, measurements, readVersions: false, upload, cancellationToken);

    private Task<IReadOnlyList<Recording>> RecordAsync(
        Caller caller,
        string contractId,
        IReadOnlyList<NewMeasurement> measurements,
        bool readVersions,
        UploadProgress<Recording>? upload,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(measurements);
        if (!caller.IsProvider)
        {
            return Task.FromResult<IReadOnlyList<Recording>>(measurements.Select(_ => new Recording(RecordingOutcome.ParticipantNotFound, null, 0, null)).ToList());
        }

        var now = time.GetUtcNow();
        return AtomicLines.WriteAsync(
            connections,
            measurements,
            (writer, measurement) => RecordOneAsync(writer, caller, contractId, measurement, now, readVersions),
            (_, exception) => DbErrors.IsUniqueViolation(exception) ? new Recording(RecordingOutcome.ConcurrentCorrection, null, 0, null) : null,
            cancellationToken,
            upload is null ? null : upload.CommitAsync);
    }

    /// <summary>The current (latest) version of each point measured for the participant, in point order.</summary>
    public Task<IReadOnlyList<Measurement>> LatestAsync(Caller caller, string contractId, string participantId, CancellationToken cancellationToken = default) =>
        QueryAsync(
            caller,
            contractId,
            participantId,
            "AND m.version = (SELECT MAX(v.version) FROM measurements v WHERE v.participant_id = m.participant_id AND v.point = m.point)",
            cancellationToken);

    /// <summary>Every version of every point measured for the participant, oldest version first within a point.</summary>
    public Task<IReadOnlyList<Measurement>> HistoryAsync(Caller caller, string contractId, string participantId, CancellationToken cancellationToken = default) =>
        QueryAsync(caller, contractId, participantId, "", cancellationToken);

    private async Task<IReadOnlyList<Measurement>> QueryAsync(
        Caller caller, string contractId, string participantId, string versionFilter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MeasurementRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM measurements m
            WHERE m.participant_id = @participantId AND m.contract_id = @contractId AND {TenantScope.ContractRows(caller, "m")} {versionFilter}
            ORDER BY m.point, m.version
            """,
            new { participantId, contractId, CallerOrganisation = caller.OrganisationId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToMeasurement()).ToList();
    }

    private static async Task<Recording> RecordOneAsync(
        LineWriter writer, Caller caller, string contractId, NewMeasurement measurement, DateTimeOffset now, bool readVersion)
    {
        var id = Guid.CreateVersion7().ToString("N");
        var inserted = await writer.Command(RecordSql)
            .Set("@Id", id)
            .Set("@Point", measurement.Point)
            .Set("@MeasuredOn", measurement.MeasuredOn)
            .Set("@Document", measurement.Document)
            .Set("@Now", now)
            .Set("@Actor", caller.ActorId)
            .Set("@ParticipantId", measurement.ParticipantId)
            .Set("@ContractId", contractId)
            .Set(TenantScope.Parameter, caller.OrganisationId)
            .ExecuteAsync(writer.CancellationToken).ConfigureAwait(false);
        if (inserted == 1 && !readVersion)
        {
            return new Recording(RecordingOutcome.Recorded, id, 0, now);
        }

        if (inserted == 1)
        {
            var version = await writer.Command("SELECT version FROM measurements WHERE id = @Id")
                .Set("@Id", id)
                .ScalarAsync(writer.CancellationToken).ConfigureAwait(false);
            return new Recording(RecordingOutcome.Recorded, id, Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture), now);
        }

        var unchanged = await writer.Command(UnchangedSql)
            .Set("@ParticipantId", measurement.ParticipantId)
            .Set("@ContractId", contractId)
            .Set(TenantScope.Parameter, caller.OrganisationId)
            .Set("@Point", measurement.Point)
            .Set("@Document", measurement.Document)
            .ScalarAsync(writer.CancellationToken).ConfigureAwait(false);
        if (unchanged is string existing)
        {
            var current = readVersion
                ? await writer.Command("SELECT version FROM measurements WHERE id = @Id").Set("@Id", existing).ScalarAsync(writer.CancellationToken).ConfigureAwait(false)
                : 0;
            return new Recording(RecordingOutcome.Unchanged, existing, Convert.ToInt32(current, System.Globalization.CultureInfo.InvariantCulture), null);
        }

        var status = await writer.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            $"""
            SELECT c.status FROM participants p JOIN contracts c ON c.id = p.contract_id
            WHERE p.id = @ParticipantId AND p.contract_id = @contractId AND {TenantScope.Delivers("p")}
            """,
            new { measurement.ParticipantId, contractId, CallerOrganisation = caller.OrganisationId },
            writer.Transaction,
            cancellationToken: writer.CancellationToken)).ConfigureAwait(false);
        return new Recording(status is null ? RecordingOutcome.ParticipantNotFound : RecordingOutcome.ContractNotActive, null, 0, null);
    }

    private sealed class MeasurementRow
    {
        public string Id { get; set; } = "";

        public string ParticipantId { get; set; } = "";

        public string ContractId { get; set; } = "";

        public string ProviderId { get; set; } = "";

        public string Point { get; set; } = "";

        public int Version { get; set; }

        public DateOnly MeasuredOn { get; set; }

        public string Document { get; set; } = "";

        public DateTimeOffset RecordedAt { get; set; }

        public string RecordedBy { get; set; } = "";

        public Measurement ToMeasurement() => new(Id, ParticipantId, ContractId, ProviderId, Point, Version, MeasuredOn, Document, RecordedAt, RecordedBy);
    }
}
