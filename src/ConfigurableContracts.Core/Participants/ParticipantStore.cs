using ConfigurableContracts.Core.Contracts;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Data.Bulk;
using ConfigurableContracts.Core.Intake;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;
using Dapper;

namespace ConfigurableContracts.Core.Participants;

/// <summary>
/// Participants, always through a <see cref="Caller"/>. A provider writes and reads only rows with its own
/// <c>provider_id</c>, under active contracts that name it; a commissioner (or auditor) reads the participants of
/// its own contracts; nobody else sees any. The scope is in each statement, not left to the endpoints.
/// </summary>
public sealed class ParticipantStore(DbConnectionFactory connections, TimeProvider time)
{
    private const string Columns =
        """
        p.id AS Id, p.contract_id AS ContractId, p.provider_id AS ProviderId, p.pseudonym AS Pseudonym,
        p.enrolment_date AS EnrolmentDate, p.record AS Record, p.created_at AS CreatedAt, p.created_by AS CreatedBy,
        p.row_version AS RowVersion, p.updated_at AS UpdatedAt
        """;

    // The provider is the caller's organisation, joined from contract_providers: a body can never name another one.
    private static readonly string EnrolSql =
        $"""
        INSERT INTO participants (id, contract_id, provider_id, pseudonym, enrolment_date, record, row_version, created_at, created_by, updated_at)
        SELECT @Id, c.id, cp.provider_id, @Pseudonym, @EnrolmentDate, @Record, 1, @Now, @Actor, @Now
        FROM contracts c
        JOIN contract_providers cp ON cp.contract_id = c.id AND {TenantScope.Delivers("cp")}
        WHERE c.id = @ContractId AND c.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM participants d WHERE d.contract_id = c.id AND d.pseudonym = @Pseudonym)
        """;

    // Asked only for a refused line under an active contract: the caller's participant with this pseudonym, when
    // enrolled with this very record, so a re-sent line reads as unchanged rather than as a clash.
    private static readonly string UnchangedSql =
        $"SELECT d.id FROM participants d WHERE d.contract_id = @ContractId AND d.pseudonym = @Pseudonym AND {TenantScope.Delivers("d")} AND d.record = @Record";

    public async Task<Enrolment> EnrolAsync(Caller caller, string contractId, NewParticipant participant, CancellationToken cancellationToken = default) =>
        (await EnrolManyAsync(caller, contractId, [participant], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Enrols each participant on its own: one failing (duplicate pseudonym, say) never stops or half-writes
    /// another. Results are in the order given.
    /// </summary>
    public Task<IReadOnlyList<Enrolment>> EnrolManyAsync(
        Caller caller, string contractId, IReadOnlyList<NewParticipant> participants, CancellationToken cancellationToken = default) =>
        EnrolManyAsync(caller, contractId, participants, upload: null, cancellationToken);

    /// <summary>
    /// As <see cref="EnrolManyAsync(Caller, string, IReadOnlyList{NewParticipant}, CancellationToken)"/>; with
    /// <paramref name="upload"/>, each chunk commits together with the upload's progress and audit entry.
    /// </summary>
    public Task<IReadOnlyList<Enrolment>> EnrolManyAsync(
        Caller caller, string contractId, IReadOnlyList<NewParticipant> participants, UploadProgress<Enrolment>? upload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(participants);
        if (!caller.IsProvider)
        {
            return Task.FromResult<IReadOnlyList<Enrolment>>(participants.Select(_ => new Enrolment(EnrolmentOutcome.ContractNotFound, null)).ToList());
        }

        var now = time.GetUtcNow();
        return AtomicLines.WriteAsync(
            connections,
            participants,
            (writer, participant) => EnrolOneAsync(writer, caller, contractId, participant, now),
            (_, exception) => DbErrors.IsUniqueViolation(exception) ? new Enrolment(EnrolmentOutcome.DuplicatePseudonym, null) : null,
            cancellationToken,
            upload is null ? null : upload.CommitAsync);
    }

    /// <summary>
    /// Replaces the record of one of the caller's own participants (an exit, a corrected school year) if
    /// <paramref name="expectedRowVersion"/> is still current. Pseudonym and enrolment date stay as enrolled: the
    /// measurements already recorded were placed in windows counted from that date.
    /// </summary>
    public async Task<RecordChange> CorrectRecordAsync(
        Caller caller, string contractId, string id, int expectedRowVersion, string record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsProvider)
        {
            return new RecordChange(RecordChangeOutcome.NotFound, null);
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE participants SET record = @record, row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND contract_id = @contractId AND {TenantScope.Delivers("participants")} AND row_version = @expectedRowVersion
              AND EXISTS (SELECT 1 FROM contracts c WHERE c.id = participants.contract_id AND c.status = 'active')
            """,
            new { record, now = time.GetUtcNow(), id, contractId, CallerOrganisation = caller.OrganisationId, expectedRowVersion },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var current = await GetAsync(caller, contractId, id, cancellationToken).ConfigureAwait(false);
        if (updated == 1 || current is null)
        {
            return new RecordChange(current is null ? RecordChangeOutcome.NotFound : RecordChangeOutcome.Done, current);
        }

        var status = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT status FROM contracts WHERE id = @contractId", new { contractId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new RecordChange(status == ContractStatus.Active ? RecordChangeOutcome.Stale : RecordChangeOutcome.ContractNotActive, current);
    }

    public Task<Participant?> GetAsync(Caller caller, string contractId, string id, CancellationToken cancellationToken = default) =>
        SingleAsync(caller, contractId, "p.id", id, cancellationToken);

    /// <summary>The participant with <paramref name="pseudonym"/> in the contract, if the caller may see it.</summary>
    public Task<Participant?> FindAsync(Caller caller, string contractId, string pseudonym, CancellationToken cancellationToken = default) =>
        SingleAsync(caller, contractId, "p.pseudonym", pseudonym, cancellationToken);

    /// <summary>The participants of a contract the caller may see, by pseudonym.</summary>
    public async Task<IReadOnlyList<Participant>> ListAsync(
        Caller caller, string contractId, int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ParticipantRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM participants p
            WHERE p.contract_id = @contractId AND {TenantScope.ContractRows(caller, "p")}
            ORDER BY p.pseudonym
            {connections.Dialect.Page("@limit", "@offset")}
            """,
            new { contractId, CallerOrganisation = caller.OrganisationId, limit, offset },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToParticipant()).ToList();
    }

    /// <summary>
    /// Every participant of the contract in the caller's scope, keyed by pseudonym, in one query: bulk measurement
    /// intake matches its lines against this instead of asking once per line.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, EnrolledParticipant>> EnrolledAsync(Caller caller, string contractId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EnrolledRow>(new CommandDefinition(
            $"SELECT p.id AS Id, p.pseudonym AS Pseudonym, p.enrolment_date AS EnrolmentDate FROM participants p WHERE p.contract_id = @contractId AND {TenantScope.ContractRows(caller, "p")}",
            new { contractId, CallerOrganisation = caller.OrganisationId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Pseudonym, r => new EnrolledParticipant(r.Id, r.Pseudonym, r.EnrolmentDate), StringComparer.Ordinal);
    }

    /// <summary>One participant by a unique column (<paramref name="keyColumn"/> is a constant, never user text).</summary>
    private async Task<Participant?> SingleAsync(Caller caller, string contractId, string keyColumn, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ParticipantRow>(new CommandDefinition(
            $"SELECT {Columns} FROM participants p WHERE {keyColumn} = @key AND p.contract_id = @contractId AND {TenantScope.ContractRows(caller, "p")}",
            new { key, contractId, CallerOrganisation = caller.OrganisationId },
            cancellationToken: cancellationToken)).ConfigureAwait(false) is { } row ? row.ToParticipant() : null;
    }

    private static async Task<Enrolment> EnrolOneAsync(LineWriter writer, Caller caller, string contractId, NewParticipant participant, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7().ToString("N");
        var inserted = await writer.Command(EnrolSql)
            .Set("@Id", id)
            .Set("@Pseudonym", participant.Pseudonym)
            .Set("@EnrolmentDate", participant.EnrolmentDate)
            .Set("@Record", participant.Record)
            .Set("@Now", now)
            .Set("@Actor", caller.ActorId)
            .Set(TenantScope.Parameter, caller.OrganisationId)
            .Set("@ContractId", contractId)
            .ExecuteAsync(writer.CancellationToken).ConfigureAwait(false);
        if (inserted == 1)
        {
            return new Enrolment(
                EnrolmentOutcome.Enrolled,
                new Participant(id, contractId, caller.OrganisationId, participant.Pseudonym, participant.EnrolmentDate, participant.Record, now, caller.ActorId, 1, now));
        }

        // Why nothing was written is asked only for the rare refused line, so it need not be prepared.
        var status = await writer.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            $"""
            SELECT c.status FROM contracts c
            JOIN contract_providers cp ON cp.contract_id = c.id AND {TenantScope.Delivers("cp")}
            WHERE c.id = @contractId
            """,
            new { contractId, CallerOrganisation = caller.OrganisationId },
            writer.Transaction,
            cancellationToken: writer.CancellationToken)).ConfigureAwait(false);
        if (status == ContractStatus.Active)
        {
            var unchanged = await writer.Command(UnchangedSql)
                .Set("@ContractId", contractId)
                .Set("@Pseudonym", participant.Pseudonym)
                .Set(TenantScope.Parameter, caller.OrganisationId)
                .Set("@Record", participant.Record)
                .ScalarAsync(writer.CancellationToken).ConfigureAwait(false);
            return unchanged is string existing
                ? new Enrolment(EnrolmentOutcome.Unchanged, null, existing)
                : new Enrolment(EnrolmentOutcome.DuplicatePseudonym, null);
        }

        return new Enrolment(status is null ? EnrolmentOutcome.ContractNotFound : EnrolmentOutcome.ContractNotActive, null);
    }

    private sealed class ParticipantRow
    {
        public string Id { get; set; } = "";

        public string ContractId { get; set; } = "";

        public string ProviderId { get; set; } = "";

        public string Pseudonym { get; set; } = "";

        public DateOnly EnrolmentDate { get; set; }

        public string Record { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        public int RowVersion { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public Participant ToParticipant() => new(Id, ContractId, ProviderId, Pseudonym, EnrolmentDate, Record, CreatedAt, CreatedBy, RowVersion, UpdatedAt);
    }

    private sealed class EnrolledRow
    {
        public string Id { get; set; } = "";

        public string Pseudonym { get; set; } = "";

        public DateOnly EnrolmentDate { get; set; }
    }
}
