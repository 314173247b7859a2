using System.Data.Common;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using ConfigurableContracts.Core.Runs;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// Moves a run's participants through three overlapping stages: one connection reads batch n+2, every core
/// evaluates it and it is decided in order, while a second connection commits batch n.
/// </summary>
/// <remarks>
/// Batches are written in participant order, one transaction each, so a crash leaves a prefix of whole batches;
/// the retry finds them current and unchanged and writes nothing for them.
/// </remarks>
internal sealed class EvaluationPipeline(EvaluationStore store, int batchSize)
{
    /// <summary>Evaluates, decides and commits every participant of the run; returns the participants done.</summary>
    public async Task<int> RunAsync(
        DbConnection connection, ParticipantDecisions decisions, int total, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<EvaluationBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteBatchesAsync(decisions.Run, batches.Reader, total, progress, stopReading, cancellationToken);
        ExceptionDispatchInfo? readFailure = null;
        try
        {
            await ReadAndDecideAsync(connection, decisions, batches.Writer, stopReading.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The writer still commits the whole batches already decided, so the retry has less to do.
            readFailure = ExceptionDispatchInfo.Capture(exception);
        }

        batches.Writer.Complete();
        // A failed writer stopped the reader: its error, thrown here, is the cause; the reader's cancellation its echo.
        var done = await writer.ConfigureAwait(false);
        readFailure?.Throw();
        return done;
    }

    /// <summary>Writes one batch in one transaction and counts it into the run.</summary>
    public static async Task CommitAsync(EvaluationStore store, DbConnection connection, RunContext run, EvaluationBatch batch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await store.WriteAsync(connection, batch.Inputs.Select(i => (i.Key, i.Value)).ToList(), batch.Decisions, batch.Ledger, cancellationToken).ConfigureAwait(false);
        run.WriteTime += Stopwatch.GetElapsedTime(started);
        run.Add(batch);
    }

    /// <summary>
    /// Reads the participants in id order, a batch at a time, evaluates each batch on every core and decides it.
    /// The next batch is read while this one is evaluated: reading is one thread's work, and done in turn with
    /// evaluating it left a core idle for half of every batch.
    /// </summary>
    private async Task ReadAndDecideAsync(
        DbConnection connection, ParticipantDecisions decisions, ChannelWriter<EvaluationBatch> batches, CancellationToken cancellationToken)
    {
        var run = decisions.Run;
        var next = ReadBatchAsync(connection, run.ContractId, "", cancellationToken);
        try
        {
            while (true)
            {
                var reading = Stopwatch.GetTimestamp();
                var read = await next.ConfigureAwait(false);
                run.ReadTime += Stopwatch.GetElapsedTime(reading);
                if (read.Participants.Count == 0)
                {
                    return;
                }

                // Microsoft.Data.Sqlite runs "async" queries synchronously, so the read gets a thread of its own.
                next = ReadBatchAsync(connection, run.ContractId, read.Participants[^1].Id, cancellationToken);

                // The pure part — snapshot, hashes, rule evaluation, serialisation — runs on all cores; what depends
                // on order (sequence numbers, the ledger's running caps, the cohort) runs after it, in participant order.
                var evaluating = Stopwatch.GetTimestamp();
                var participants = read.Participants;
                var evaluated = new EvaluatedParticipant[participants.Count];
                Parallel.For(0, participants.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                    evaluated[i] = decisions.Evaluate(participants[i], read.Measurements.GetValueOrDefault(participants[i].Id), read.Current));
                run.EvaluateTime += Stopwatch.GetElapsedTime(evaluating);

                var deciding = Stopwatch.GetTimestamp();
                var batch = new EvaluationBatch(participants.Count);
                batch.Inputs[run.ContractHash] = decisions.ContractText;
                foreach (var participant in evaluated)
                {
                    decisions.Decide(batch, participant);
                }

                run.DecideTime += Stopwatch.GetElapsedTime(deciding);
                await batches.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The connection goes on to the cohort (or back to the pool): no read may still be running on it.
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or DbException)
            {
                // What failed is reported by the loop's own exception; a read ahead that failed after it adds nothing.
            }
        }
    }

    /// <summary>One batch's participants after <paramref name="after"/> in id order, their latest measurements and current decisions.</summary>
    private Task<ReadBatch> ReadBatchAsync(DbConnection connection, string contractId, string after, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var participants = await store.ParticipantsAfterAsync(connection, contractId, after, batchSize).ConfigureAwait(false);
            if (participants.Count == 0)
            {
                return new ReadBatch(participants, [], []);
            }

            var last = participants[^1].Id;
            var measurements = LatestByParticipant(await EvaluationStore.MeasurementsAsync(connection, contractId, after, last).ConfigureAwait(false));
            var current = (await EvaluationStore.CurrentDecisionsAsync(connection, contractId, after, last).ConfigureAwait(false))
                .ToDictionary(d => (d.ParticipantId!, d.Workflow, d.Outcome));
            return new ReadBatch(participants, measurements, current);
        }, cancellationToken);

    /// <summary>Commits the batches in the order they were decided, on a connection of its own; returns the participants done.</summary>
    private async Task<int> WriteBatchesAsync(
        RunContext run, ChannelReader<EvaluationBatch> batches, int total, IProgress<EvaluationProgress>? progress,
        CancellationTokenSource stopReading, CancellationToken cancellationToken)
    {
        await Task.Yield();
        DbConnection? connection = null;
        await using var checkpointer = store.Checkpointer();
        try
        {
            connection = await store.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
            var done = 0;
            await foreach (var batch in batches.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await CommitAsync(store, connection, run, batch, cancellationToken).ConfigureAwait(false);
                checkpointer.Signal();
                done += batch.Participants;

                // Reported once committed: what a progress reader sees done survives a crash of the process.
                progress?.Report(new EvaluationProgress(done, Math.Max(total, done)));
            }

            // The writer commits without waiting for the disk; the run is done only once all of it is there.
            var syncing = Stopwatch.GetTimestamp();
            await checkpointer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            run.WriteTime += Stopwatch.GetElapsedTime(syncing);
            return done;
        }
        catch
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await store.CloseWriterAsync(connection).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The newest version of each point's measurement, per participant.</summary>
    private static Dictionary<string, Dictionary<string, MeasurementRow>> LatestByParticipant(List<MeasurementRow> rows)
    {
        var result = new Dictionary<string, Dictionary<string, MeasurementRow>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!result.TryGetValue(row.ParticipantId, out var points))
            {
                result[row.ParticipantId] = points = new Dictionary<string, MeasurementRow>(StringComparer.Ordinal);
            }

            points.TryAdd(row.Point, row);
        }

        return result;
    }

    /// <summary>What one batch read from the database: participants, their newest measurement per point, current decisions.</summary>
    private sealed record ReadBatch(
        List<ParticipantRow> Participants,
        Dictionary<string, Dictionary<string, MeasurementRow>> Measurements,
        Dictionary<(string, string, string), CurrentDecision> Current);
}
