using System.Data.Common;
using ConfigurableContracts.Core.Data;
using Dapper;

namespace ConfigurableContracts.Core.Data.Bulk;

/// <summary>
/// Syncs and checkpoints SQLite's write-ahead log on a connection of its own while the nightly writer goes on
/// committing batches, so the writer never waits for the disk; <see cref="CompleteAsync"/> makes everything
/// committed so far durable. Without a factory (PostgreSQL, SQL Server) every call does nothing.
/// </summary>
/// <remarks>
/// A passive checkpoint never blocks the writer or readers: it copies what is committed, syncing the log before and
/// the database after (the checkpointing connection keeps <c>synchronous=FULL</c>). Requests coalesce: a signal
/// while a checkpoint runs means one more after it, however many batches were committed meanwhile.
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private const string Checkpoint = "PRAGMA wal_checkpoint(PASSIVE)";

    private readonly DbConnectionFactory? _connections;
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WalCheckpointer(DbConnectionFactory? connections)
    {
        _connections = connections;
        _loop = connections is null ? Task.CompletedTask : Task.Run(LoopAsync);
    }

    /// <summary>Asks for a checkpoint of what is committed now; returns at once.</summary>
    public void Signal()
    {
        if (_connections is null)
        {
            return;
        }

        try
        {
            _requested.Release();
        }
        catch (SemaphoreFullException)
        {
            // One is already pending; it will include what was just committed.
        }
    }

    /// <summary>Stops the background checkpoints and runs a last one: when this returns, every commit is on disk.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_connections is null)
        {
            return;
        }

        await StopLoopAsync().ConfigureAwait(false);
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Checkpoint).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        _requested.Dispose();
        _stop.Dispose();
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task LoopAsync()
    {
        DbConnection? connection = null;
        try
        {
            while (true)
            {
                await _requested.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    connection ??= await _connections!.OpenAsync(_stop.Token).ConfigureAwait(false);
                    await connection.ExecuteAsync(Checkpoint).ConfigureAwait(false);
                }
                catch (DbException)
                {
                    // A background checkpoint that fails (the database busy past the timeout) only leaves the log
                    // longer: the writer's commits are unaffected, and CompleteAsync's own checkpoint reports a
                    // fault that persists.
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
