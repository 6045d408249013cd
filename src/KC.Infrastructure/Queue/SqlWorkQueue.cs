using System.Data.Common;
using System.Globalization;
using KC.Application.Common;
using KC.Application.Common.Telemetry;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Queue;

/// <summary>
/// The work queue is the images table: a row's state, lease owner and lease expiry say who works
/// on it. Each operation is one short statement or transaction, so any number of workers can share
/// the database; recording an outcome is guarded by state and lease owner, so it is idempotent.
/// An owner is one run of a node (<see cref="NodeIdentity.LeaseOwner"/>): renewals, releases and
/// outcomes of one run never touch another's leases, and outcomes are attributed to its node.
/// The jobs an outcome batch finishes are settled by <see cref="JobSettlement"/> in the batch's transaction;
/// once it commits, the images it settled are counted and the jobs reported (<see cref="JobLifecycle"/>).
/// </summary>
internal sealed class SqlWorkQueue(
    IDbContextFactory<KcDbContext> contexts,
    ProcessingOptions options,
    TimeProvider clock,
    JobLifecycle lifecycle,
    KcTelemetry telemetry) : IWorkQueue
{
    private const int Pending = (int)ImageState.Pending;
    private const int Processing = (int)ImageState.Processing;

    // A deadlock or serialisation failure rolls the whole transaction back; it is run again.
    private const int MaxTransientRetries = 4;

    private static readonly string SettleImageSql = $"""
        UPDATE images
        SET state = @state, width = @width, height = @height, perimeter = @perimeter, error = @error,
            attempts = attempts + @attempts, last_error = COALESCE(@last_error, last_error),
            bytes = @bytes, download_ms = @download_ms, gpu_ms = @gpu_ms,
            settled_at = @settled, settled_by = @node, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = @id AND state = {Processing} AND lease_owner = @owner
        RETURNING job_id
        """;

    private const string CountNodeOutcomesSql = "UPDATE nodes SET images_settled = images_settled + @settled WHERE id = @node";

    private const string CountOutcomesSql = """
        UPDATE jobs
        SET succeeded_images = succeeded_images + @succeeded, failed_images = failed_images + @failed
        WHERE id = @id
        RETURNING status, total_images, succeeded_images, failed_images
        """;

    private static readonly string RenewSql = $"""
        UPDATE images SET lease_expires_at = @expires
        WHERE state = {Processing} AND lease_owner = @owner
        """;

    // A graceful stop takes its claims back (@refund = 1); a node that died leaves them counted.
    private static readonly string ReleaseSql = $"""
        UPDATE images SET state = {Pending}, lease_owner = NULL, lease_expires_at = NULL, claims = claims - @refund
        WHERE state = {Processing} AND lease_owner = @owner
        """;

    private static readonly string ReclaimSql = $"""
        UPDATE images SET state = {Pending}, lease_owner = NULL, lease_expires_at = NULL
        WHERE state = {Processing} AND lease_expires_at < @now
        """;

    public async Task<IReadOnlyList<ClaimedImage>> ClaimAsync(string owner, int max, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The pick walks the partial index ix_images_pending_fair: position in job, then job.
        await using var command = db.Database.GetDbConnection().CreateCommand(db.Dialect.ClaimImagesSql);
        command.AddParameter("@owner", owner);
        command.AddParameter("@expires", (now + options.Lease).ToUnixTimeMilliseconds());
        command.AddParameter("@now", now.ToUnixTimeMilliseconds());
        command.AddParameter("@max", max);

        var claimed = new List<(int Sequence, ClaimedImage Image)>(max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add((reader.GetInt32(5), new ClaimedImage(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(6))));
        }

        await reader.DisposeAsync().ConfigureAwait(false);

        // Only while someone listens to the traces: the submit's context of each claimed job, one
        // short read by primary key, so an image's span joins its submit's trace.
        var traceParents = claimed.Count > 0 && KcTelemetry.Traces.HasListeners()
            ? await ReadTraceParentsAsync(db, claimed.Select(c => c.Image.JobId).Distinct().ToList(), cancellationToken).ConfigureAwait(false)
            : null;

        // RETURNING gives rows in no promised order; hand them out in the claim's fair order.
        return claimed
            .OrderBy(c => c.Sequence)
            .ThenBy(c => c.Image.JobId)
            .Select(c => traceParents?.GetValueOrDefault(c.Image.JobId) is { } traceParent ? c.Image with { TraceParent = traceParent } : c.Image)
            .ToList();
    }

    private static async Task<Dictionary<long, string>> ReadTraceParentsAsync(KcDbContext db, List<long> jobIds, CancellationToken cancellationToken) =>
        await db.Jobs.AsNoTracking()
            .Where(j => jobIds.Contains(j.Id) && EF.Property<string?>(j, "traceparent") != null)
            .Select(j => new { j.Id, TraceParent = EF.Property<string>(j, "traceparent") })
            .ToDictionaryAsync(j => j.Id, j => j.TraceParent, cancellationToken)
            .ConfigureAwait(false);

    public async Task RecordOutcomesAsync(string owner, IReadOnlyList<ImageOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return;
        }

        // Image rows in id order, job rows in id order and before any image row: every writer
        // takes its locks in the same order, so writers on several nodes queue instead of deadlocking.
        var ordered = outcomes.OrderBy(o => o.ImageId).ToList();
        await RetryTransientAsync(
            async () =>
            {
                await RecordOnceAsync(owner, ordered, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> again when the database rolled it back for a deadlock or
    /// a serialisation failure. Every operation here is guarded by state and owner, so a second run
    /// never records anything twice.
    /// </summary>
    private static async Task<T> RetryTransientAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation().ConfigureAwait(false);
            }
            catch (DbException ex) when (attempt < MaxTransientRetries && SqlDialect.IsTransient(ex))
            {
                // Jittered, so two transactions that deadlocked each other do not meet again.
                await Task.Delay(Backoff.Exponential(attempt + 1, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RecordOnceAsync(string owner, IReadOnlyList<ImageOutcome> outcomes, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        if (db.Dialect.LockJobsSql is { } lockJobs)
        {
            await using var command = connection.CreateCommand(lockJobs, transaction);
            command.AddParameter("@ids", outcomes.Select(o => o.JobId).Distinct().ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var (counts, settledImages) = await SettleImagesAsync(connection, transaction, db.Dialect, owner, outcomes, now, cancellationToken).ConfigureAwait(false);
        var counted = await CountOutcomesAsync(connection, transaction, counts, cancellationToken).ConfigureAwait(false);
        var settledJobs = await JobSettlement.SettleAsync(connection, transaction, counted, now, cancellationToken).ConfigureAwait(false);

        if (settledImages.Count > 0)
        {
            await using var command = connection.CreateCommand(CountNodeOutcomesSql, transaction);
            command.AddParameter("@node", NodeIdentity.NodeIdOf(owner));
            command.AddParameter("@settled", settledImages.Count);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // Only what this transaction settled: an outcome whose lease was lost is someone else's to count.
        foreach (var group in settledImages.GroupBy(o => (o.IsSuccess, o.Reason)))
        {
            telemetry.ImagesSettled(group.Key.IsSuccess ? ImageState.Succeeded : ImageState.Failed, group.Key.Reason, group.Count());
        }

        foreach (var job in settledJobs)
        {
            lifecycle.Settled(job);
        }
    }

    public Task<int> RenewLeasesAsync(string owner, CancellationToken cancellationToken) =>
        ExecuteAsync(RenewSql, cancellationToken, ("@owner", owner), ("@expires", (clock.GetUtcNow() + options.Lease).ToUnixTimeMilliseconds()));

    public Task<int> ReleaseLeasesAsync(string owner, LeaseRelease reason, CancellationToken cancellationToken) =>
        ExecuteAsync(ReleaseSql, cancellationToken, ("@owner", owner), ("@refund", reason == LeaseRelease.GracefulStop ? 1 : 0));

    public Task<int> ReclaimExpiredLeasesAsync(CancellationToken cancellationToken) =>
        ExecuteAsync(ReclaimSql, cancellationToken, ("@now", clock.GetUtcNow().ToUnixTimeMilliseconds()));

    public async Task<IReadOnlyList<long>> FindCancelledAsync(IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (jobIds.Count == 0)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Jobs.AsNoTracking()
            .Where(j => jobIds.Contains(j.Id) && j.Status == JobStatus.Cancelled)
            .Select(j => j.Id)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Settles the images still leased to <paramref name="owner"/>, returning how many succeeded and failed per job, and the outcomes it recorded.</summary>
    private static async Task<(SortedDictionary<long, (int Succeeded, int Failed)> Counts, List<ImageOutcome> Settled)> SettleImagesAsync(
        DbConnection connection,
        DbTransaction transaction,
        SqlDialect dialect,
        string owner,
        IReadOnlyList<ImageOutcome> outcomes,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var batchSql = dialect.SettleImagesBatchSql;
        await using var command = connection.CreateCommand(batchSql ?? SettleImageSql, transaction);
        command.AddParameter("@owner", owner);
        command.AddParameter("@node", NodeIdentity.NodeIdOf(owner));
        command.AddParameter("@settled", now);
        var counts = new SortedDictionary<long, (int Succeeded, int Failed)>();
        var settled = new List<ImageOutcome>(outcomes.Count);
        if (batchSql is null)
        {
            await SettleRowByRowAsync(command, outcomes, counts, settled, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SettleInOneStatementAsync(command, outcomes, counts, settled, cancellationToken).ConfigureAwait(false);
        }

        return (counts, settled);
    }

    private static async Task SettleRowByRowAsync(
        DbCommand command,
        IReadOnlyList<ImageOutcome> outcomes,
        SortedDictionary<long, (int Succeeded, int Failed)> counts,
        List<ImageOutcome> settled,
        CancellationToken cancellationToken)
    {
        var id = command.AddParameter("@id", 0L);
        var state = command.AddParameter("@state", 0);
        var width = command.AddParameter("@width", null);
        var height = command.AddParameter("@height", null);
        var perimeter = command.AddParameter("@perimeter", null);
        var error = command.AddParameter("@error", null);
        var attempts = command.AddParameter("@attempts", 0);
        var lastError = command.AddParameter("@last_error", null);
        var bytes = command.AddParameter("@bytes", null);
        var downloadMs = command.AddParameter("@download_ms", null);
        var gpuMs = command.AddParameter("@gpu_ms", null);

        foreach (var outcome in outcomes)
        {
            id.Value = outcome.ImageId;
            state.Value = (int)(outcome.IsSuccess ? ImageState.Succeeded : ImageState.Failed);
            width.Value = outcome.Size?.Width ?? (object)DBNull.Value;
            height.Value = outcome.Size?.Height ?? (object)DBNull.Value;
            perimeter.Value = outcome.Size?.Perimeter ?? (object)DBNull.Value;
            error.Value = outcome.Error ?? (object)DBNull.Value;
            attempts.Value = outcome.Attempts;
            lastError.Value = outcome.LastError ?? (object)DBNull.Value;
            bytes.Value = outcome.Bytes ?? (object)DBNull.Value;
            downloadMs.Value = outcome.DownloadMs ?? (object)DBNull.Value;
            gpuMs.Value = outcome.GpuMs ?? (object)DBNull.Value;

            // No row: the lease was lost (lapsed and taken over) and the outcome belongs to someone else.
            // A settled row counts for the job the image belongs to, as in the one-statement form.
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } jobId and not DBNull)
            {
                Count(counts, Convert.ToInt64(jobId, CultureInfo.InvariantCulture), outcome.IsSuccess);
                settled.Add(outcome);
            }
        }
    }

    private static async Task SettleInOneStatementAsync(
        DbCommand command,
        IReadOnlyList<ImageOutcome> outcomes,
        SortedDictionary<long, (int Succeeded, int Failed)> counts,
        List<ImageOutcome> settled,
        CancellationToken cancellationToken)
    {
        command.AddParameter("@ids", outcomes.Select(o => o.ImageId).ToArray());
        command.AddParameter("@states", outcomes.Select(o => (int)(o.IsSuccess ? ImageState.Succeeded : ImageState.Failed)).ToArray());
        command.AddParameter("@widths", outcomes.Select(o => o.Size?.Width).ToArray());
        command.AddParameter("@heights", outcomes.Select(o => o.Size?.Height).ToArray());
        command.AddParameter("@perimeters", outcomes.Select(o => o.Size?.Perimeter).ToArray());
        command.AddParameter("@errors", outcomes.Select(o => o.Error).ToArray());
        command.AddParameter("@attempts", outcomes.Select(o => o.Attempts).ToArray());
        command.AddParameter("@last_errors", outcomes.Select(o => o.LastError).ToArray());
        command.AddParameter("@bytes", outcomes.Select(o => o.Bytes).ToArray());
        command.AddParameter("@download_ms", outcomes.Select(o => o.DownloadMs).ToArray());
        command.AddParameter("@gpu_ms", outcomes.Select(o => o.GpuMs).ToArray());

        // A row not returned was not leased to this owner any more: its outcome belongs to someone else.
        var byId = new Dictionary<long, ImageOutcome>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            byId.TryAdd(outcome.ImageId, outcome);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            Count(counts, reader.GetInt64(0), reader.GetInt32(1) == (int)ImageState.Succeeded);
            settled.Add(byId[reader.GetInt64(2)]);
        }
    }

    private static void Count(SortedDictionary<long, (int Succeeded, int Failed)> counts, long jobId, bool succeeded)
    {
        var (ok, failed) = counts.GetValueOrDefault(jobId);
        counts[jobId] = succeeded ? (ok + 1, failed) : (ok, failed + 1);
    }

    /// <summary>
    /// Adds each job's newly settled images to its counters and reads them back, for the settlement
    /// to decide from in the same transaction.
    /// </summary>
    private static async Task<List<(long JobId, JobStatus Current, JobProgress Progress)>> CountOutcomesAsync(
        DbConnection connection,
        DbTransaction transaction,
        SortedDictionary<long, (int Succeeded, int Failed)> counts,
        CancellationToken cancellationToken)
    {
        await using var count = connection.CreateCommand(CountOutcomesSql, transaction);
        var jobId = count.AddParameter("@id", 0L);
        var succeeded = count.AddParameter("@succeeded", 0);
        var failed = count.AddParameter("@failed", 0);

        var counted = new List<(long JobId, JobStatus Current, JobProgress Progress)>(counts.Count);
        foreach (var (job, delta) in counts)
        {
            jobId.Value = job;
            succeeded.Value = delta.Succeeded;
            failed.Value = delta.Failed;
            await using var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counted.Add((job, (JobStatus)reader.GetInt32(0), new JobProgress(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3))));
            }
        }

        return counted;
    }

    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RetryTransientAsync(() => contexts.ExecuteAsync(sql, cancellationToken, parameters), cancellationToken);
}
