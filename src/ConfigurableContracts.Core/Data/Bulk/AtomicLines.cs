using System.Data.Common;
using Dapper;

namespace ConfigurableContracts.Core.Data.Bulk;

/// <summary>
/// Writes many independent lines (bulk intake) fast without letting one line's failure touch another: lines are
/// written in chunks, one transaction per chunk, through statements prepared once per chunk. When a line throws,
/// its chunk is rolled back and replayed with a savepoint around each line, so the failing line alone is dropped
/// and the rest still commit. The common case — no line throws — pays for no savepoints at all.
/// </summary>
internal static class AtomicLines
{
    public const int ChunkSize = 5000;

    /// <param name="connections">The database; one connection serves all chunks.</param>
    /// <param name="lines">The lines, already validated; results come back in the same order.</param>
    /// <param name="write">Writes one line inside the chunk's transaction and says what came of it.</param>
    /// <param name="failed">
    /// What to report for a line whose write threw, or null when the exception is not the line's fault (a lost
    /// connection, say): then it propagates and the chunk in progress is rolled back.
    /// </param>
    /// <param name="cancellationToken">Stops between statements; committed chunks stay committed.</param>
    /// <param name="committing">
    /// Runs last in each chunk's transaction, with the index of the chunk's first line and the chunk's results: what
    /// must commit with the chunk or not at all (a retryable upload's progress and its audit entry). An exception
    /// from it rolls the chunk back.
    /// </param>
    public static async Task<IReadOnlyList<TResult>> WriteAsync<TLine, TResult>(
        DbConnectionFactory connections,
        IReadOnlyList<TLine> lines,
        Func<LineWriter, TLine, Task<TResult>> write,
        Func<TLine, DbException, TResult?> failed,
        CancellationToken cancellationToken,
        Func<LineWriter, int, IReadOnlyList<TResult>, Task>? committing = null)
        where TResult : class
    {
        var results = new List<TResult>(lines.Count);
        if (lines.Count == 0)
        {
            return results;
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        for (var start = 0; start < lines.Count; start += ChunkSize)
        {
            var chunk = lines.Skip(start).Take(ChunkSize).ToList();
            var first = start;
            Func<LineWriter, IReadOnlyList<TResult>, Task>? commit = committing is null ? null : (writer, written) => committing(writer, first, written);
            var written = await TryChunkAsync(connection, connections.Dialect, chunk, write, commit, cancellationToken).ConfigureAwait(false)
                ?? await ChunkWithSavepointsAsync(connection, connections.Dialect, chunk, write, failed, commit, cancellationToken).ConfigureAwait(false);
            results.AddRange(written);
        }

        return results;
    }

    private static async Task<List<TResult>?> TryChunkAsync<TLine, TResult>(
        DbConnection connection,
        SqlDialect dialect,
        List<TLine> chunk,
        Func<LineWriter, TLine, Task<TResult>> write,
        Func<LineWriter, IReadOnlyList<TResult>, Task>? commit,
        CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<TResult>(chunk.Count);
        await using (var writer = new LineWriter(connection, transaction, dialect, cancellationToken))
        {
            try
            {
                foreach (var line in chunk)
                {
                    results.Add(await write(writer, line).ConfigureAwait(false));
                }

                if (commit is not null)
                {
                    await commit(writer, results).ConfigureAwait(false);
                }
            }
            catch (DbException)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static async Task<List<TResult>> ChunkWithSavepointsAsync<TLine, TResult>(
        DbConnection connection,
        SqlDialect dialect,
        List<TLine> chunk,
        Func<LineWriter, TLine, Task<TResult>> write,
        Func<TLine, DbException, TResult?> failed,
        Func<LineWriter, IReadOnlyList<TResult>, Task>? commit,
        CancellationToken cancellationToken)
        where TResult : class
    {
        const string Savepoint = "intake_line";
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<TResult>(chunk.Count);
        await using (var writer = new LineWriter(connection, transaction, dialect, cancellationToken))
        {
            foreach (var line in chunk)
            {
                await connection.ExecuteAsync(dialect.Savepoint(Savepoint), transaction: transaction).ConfigureAwait(false);
                try
                {
                    results.Add(await write(writer, line).ConfigureAwait(false));
                    if (dialect.ReleaseSavepoint(Savepoint) is { } release)
                    {
                        await connection.ExecuteAsync(release, transaction: transaction).ConfigureAwait(false);
                    }
                }
                catch (DbException exception)
                {
                    var result = failed(line, exception);
                    if (result is null)
                    {
                        throw;
                    }

                    await connection.ExecuteAsync(dialect.RollbackToSavepoint(Savepoint), transaction: transaction).ConfigureAwait(false);
                    results.Add(result);
                }
            }

            if (commit is not null)
            {
                await commit(writer, results).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }
}

/// <summary>
/// What a line's write gets: the chunk's connection and transaction (for the rare ad-hoc query, through Dapper)
/// and its prepared statements, one per distinct SQL text, kept for the whole chunk.
/// </summary>
internal sealed class LineWriter(DbConnection connection, DbTransaction transaction, SqlDialect dialect, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly Dictionary<string, PreparedCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection => connection;

    public DbTransaction Transaction => transaction;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>The chunk's prepared command for <paramref name="sql"/> (a constant of the store, never built from input).</summary>
    public PreparedCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = new PreparedCommand(connection, transaction, dialect, sql);
            _commands[sql] = command;
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }
    }
}
