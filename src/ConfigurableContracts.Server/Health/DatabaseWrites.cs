using System.Data.Common;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Runs;
using Dapper;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Health;

/// <summary>
/// Whether the database takes writes now, found out by writing: a probe updates the one row of <c>write_probe</c>.
/// A request whose write failed for a reason of the storage (<see cref="WriteFailure.Persists"/>) reports it here too,
/// so until a probe succeeds again the API answers writes 503 at once instead of failing each one on the disk.
/// Each failure and each recovery truncates SQLite's log: on a full disk the log is often what filled it.
/// </summary>
public sealed partial class DatabaseWrites(
    DbConnectionFactory connections,
    IOptions<SchedulerOptions> scheduler,
    TimeProvider time,
    ILogger<DatabaseWrites> logger) : IDisposable
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private volatile State? _failing;

    /// <summary>The storage failure writes meet now, or null when the last probe or write succeeded.</summary>
    public WriteFailure? Failing => _failing?.Failure;

    /// <summary>When writes started failing, or null.</summary>
    public DateTimeOffset? FailingSince => _failing?.Since;

    /// <summary>
    /// Writes the probe row: null when it was stored, else why not. A failure the database does not describe as
    /// one of storage (a missing table, say) is thrown, since no wait would mend it.
    /// </summary>
    public async Task<WriteFailure?> ProbeAsync(CancellationToken cancellationToken = default)
    {
        await _probing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await connection.ExecuteAsync(
                    "UPDATE write_probe SET probed_at = @now, probed_by = @instance WHERE id = 1",
                    new { now = time.GetUtcNow(), instance = scheduler.Value.InstanceId ?? Environment.MachineName }).ConfigureAwait(false);
            }

            await RecoveredAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (DbException exception) when (connections.WriteFailureOf(exception) is { } failure)
        {
            await FailedAsync(failure, cancellationToken).ConfigureAwait(false);
            return failure;
        }
        finally
        {
            _probing.Release();
        }
    }

    /// <summary>
    /// Records that a write failed; for a failure of the storage, gives the log's space back so that what must still
    /// be written for this answer (its audit entry) has room.
    /// </summary>
    public async Task FailedAsync(WriteFailure failure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!failure.Persists)
        {
            return;
        }

        if (_failing?.Failure != failure)
        {
            _failing = new State(failure, time.GetUtcNow());
            LogFailing(logger, failure.Reason);
        }

        await TruncateLogAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RecoveredAsync(CancellationToken cancellationToken)
    {
        if (_failing is not { } was)
        {
            return;
        }

        _failing = null;
        LogRecovered(logger, was.Failure.Reason, time.GetUtcNow() - was.Since);
        await TruncateLogAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task TruncateLogAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await connections.TruncateLogAsync(cancellationToken).ConfigureAwait(false))
            {
                LogLogInUse(logger);
            }
        }
        catch (DbException exception)
        {
            // Copying the log into the database can itself need space the disk lacks; the next failure or recovery tries again.
            LogTruncateFailed(logger, exception.GetType().Name, connections.WriteFailureOf(exception)?.Reason);
        }
    }

    public void Dispose() => _probing.Dispose();

    private sealed record State(WriteFailure Failure, DateTimeOffset Since);

    [LoggerMessage(LogLevel.Error, "Database writes fail: {Reason}; writes are answered 503 until a probe succeeds")]
    private static partial void LogFailing(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "Database writes succeed again after {Reason} for {Duration}")]
    private static partial void LogRecovered(ILogger logger, string reason, TimeSpan duration);

    [LoggerMessage(LogLevel.Information, "The SQLite log is still in use by a reader or writer; it is truncated at the next failure or recovery")]
    private static partial void LogLogInUse(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Truncating the SQLite log failed ({Exception}, {Reason})")]
    private static partial void LogTruncateFailed(ILogger logger, string exception, string? reason);
}
