using System.Data.Common;
using System.Globalization;
using System.Text;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Telemetry;
using KC.Application.Processing;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// Stores new jobs with hand-written multi-row inserts in one transaction: a 100,000-image job is
/// a few hundred statements instead of 100,000 tracked entities, and it is durable (and visible to
/// the workers) the moment the transaction commits. The job's idempotency key and, for a job that
/// is settled from the start, its completion callback (<see cref="JobSettlement"/>) are part of the
/// same transaction. The job keeps the trace context it was submitted in, and is reported to
/// <see cref="JobLifecycle"/> once it has committed.
/// </summary>
internal sealed class JobRepository(KcDbContext db, JobLifecycle lifecycle, KcTelemetry telemetry) : IJobRepository
{
    private const int ImagesPerStatement = 1_000;

    // Expired idempotency keys deleted by one keyed submit, at most: the purge rides along with
    // submits without ever making one of them long.
    private const int ExpiredKeysPurgedPerSubmit = 500;

    private static readonly string PurgeExpiredKeysSql = $"""
        DELETE FROM idempotency_keys
        WHERE expires_at <= @now AND ((scope = @scope AND idempotency_key = @key) OR (scope, idempotency_key) IN (
            SELECT scope, idempotency_key FROM idempotency_keys WHERE expires_at <= @now ORDER BY expires_at LIMIT {ExpiredKeysPurgedPerSubmit}))
        """;

    private static readonly string InsertKeySql = $"""
        INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, job_id, created_at, expires_at)
        VALUES (@scope, @key, @hash, @job, @created, @expires)
        """;

    private readonly List<(Job Job, NewIdempotencyKey? Key)> _added = [];

    public void Add(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        _added.Add((job, null));
    }

    public void Add(Job job, NewIdempotencyKey idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        _added.Add((job, idempotencyKey));
    }

    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        if (_added.Count == 0)
        {
            return;
        }

        var ids = new List<long>(_added.Count);
        var settled = new List<SettledJob?>(_added.Count);
        var traceParent = KcTelemetry.CurrentTraceParent();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (job, key) in _added)
            {
                var (id, settledAtOnce) = await InsertAsync(connection, transaction, job, key, traceParent, cancellationToken).ConfigureAwait(false);
                ids.Add(id);
                settled.Add(settledAtOnce);
            }

            // Delivered at commit, and only if it commits: idle workers on other nodes wake for the new work.
            if (db.Dialect.AnnounceWorkSql is { } announce && _added.Any(a => a.Job.Status == JobStatus.Ongoing))
            {
                await using var command = connection.CreateCommand(announce, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        for (var i = 0; i < _added.Count; i++)
        {
            var job = _added[i].Job;
            job.AssignId(ids[i]);
            lifecycle.Submitted(job.Id, job.Visits.Count, job.TotalImages);

            // Images of unknown stores settled with the insert, never to be downloaded.
            telemetry.ImagesSettled(ImageState.Failed, ImageFailureReason.UnknownStore, job.FailedImages);
            if (settled[i] is { } final)
            {
                lifecycle.Settled(final);
            }
        }

        _added.Clear();
    }

    public async Task<IdempotencyKeyRecord?> FindIdempotencyKeyAsync(string scope, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        return await db.Set<IdempotencyKey>().AsNoTracking()
            .Where(k => k.Scope == scope && k.Key == key && k.ExpiresAt > nowMs)
            .Select(k => new IdempotencyKeyRecord(k.Key, k.RequestHash, k.JobId))
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<JobCancellation?> TryCancelAsync(long jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var (cancellation, settled) = await JobSettlement.CancelAsync(connection, transaction, jobId, now, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (settled is not null)
            {
                telemetry.ImagesSettled(ImageState.Cancelled, ImageFailureReason.None, settled.Progress.Cancelled);
                lifecycle.Settled(settled);
            }

            return cancellation;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    public async Task<JobRetry?> TryRetryAsync(long jobId, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var retry = await JobSettlement.RetryAsync(connection, transaction, jobId, cancellationToken).ConfigureAwait(false);
            if (retry is not { Outcome: RetryOutcome.Requeued })
            {
                // Refused, or a failed job with nothing to retry: it stays exactly as it was.
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return retry;
            }

            // Delivered at commit, like a submit's: idle workers on other nodes wake for the requeued images.
            if (db.Dialect.AnnounceWorkSql is { } announce)
            {
                await using var command = connection.CreateCommand(announce, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return retry;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Inserts the job with its visits and images; returns its id and, for a job final from the start, the job as settled.</summary>
    private static async Task<(long JobId, SettledJob? Settled)> InsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        Job job,
        NewIdempotencyKey? key,
        string? traceParent,
        CancellationToken cancellationToken)
    {
        long jobId;
        await using (var insertJob = connection.CreateCommand(
            """
            INSERT INTO jobs (status, created_at, completed_at, total_images, succeeded_images, failed_images, callback_url, traceparent)
            VALUES (@status, @created, @completed, @total, @succeeded, @failed, @callback, @traceparent)
            RETURNING id
            """,
            transaction))
        {
            insertJob.AddParameter("@status", (int)job.Status);
            insertJob.AddParameter("@created", job.CreatedAt);
            insertJob.AddParameter("@completed", job.CompletedAt);
            insertJob.AddParameter("@total", job.TotalImages);
            insertJob.AddParameter("@succeeded", job.SucceededImages);
            insertJob.AddParameter("@failed", job.FailedImages);
            insertJob.AddParameter("@callback", job.CallbackUrl);
            insertJob.AddParameter("@traceparent", traceParent);
            jobId = Convert.ToInt64(await insertJob.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        // Right after the job row and before the images: a duplicate key fails here, before the
        // bulk of the work, and takes the job row down with the transaction.
        if (key is not null)
        {
            await InsertIdempotencyKeyAsync(connection, transaction, jobId, key, cancellationToken).ConfigureAwait(false);
        }

        await using var insertVisit = connection.CreateCommand(
            """
            INSERT INTO visits (job_id, store_id, visit_time, store_known)
            VALUES (@job, @store, @time, @known)
            RETURNING id
            """,
            transaction);
        insertVisit.AddParameter("@job", jobId);
        var store = insertVisit.AddParameter("@store", string.Empty);
        var time = insertVisit.AddParameter("@time", DateTimeOffset.UnixEpoch);
        var known = insertVisit.AddParameter("@known", true);

        var pending = new List<(long VisitId, ImageTask Image)>(job.TotalImages);
        foreach (var visit in job.Visits)
        {
            store.Value = visit.StoreId;
            time.Value = visit.VisitTime;
            known.Value = visit.StoreKnown;
            var visitId = Convert.ToInt64(await insertVisit.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            pending.AddRange(visit.Images.Select(image => (visitId, image)));
        }

        for (var start = 0; start < pending.Count; start += ImagesPerStatement)
        {
            var chunk = pending.GetRange(start, Math.Min(ImagesPerStatement, pending.Count - start));
            await using var insertImages = BuildImageInsert(connection, transaction, jobId, chunk);
            await insertImages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Every store unknown: the job is settled from the start, so its callback is due now.
        return (jobId, await JobSettlement.SubmittedAsync(connection, transaction, jobId, job, cancellationToken).ConfigureAwait(false));
    }

    private static async Task InsertIdempotencyKeyAsync(
        DbConnection connection,
        DbTransaction transaction,
        long jobId,
        NewIdempotencyKey key,
        CancellationToken cancellationToken)
    {
        // An expired row of the same key goes first, or it would block the key's reuse.
        await using (var purge = connection.CreateCommand(PurgeExpiredKeysSql, transaction))
        {
            purge.AddParameter("@scope", key.Scope);
            purge.AddParameter("@key", key.Key);
            purge.AddParameter("@now", key.CreatedAt.ToUnixTimeMilliseconds());
            await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = connection.CreateCommand(InsertKeySql, transaction);
        insert.AddParameter("@scope", key.Scope);
        insert.AddParameter("@key", key.Key);
        insert.AddParameter("@hash", key.RequestHash);
        insert.AddParameter("@job", jobId);
        insert.AddParameter("@created", key.CreatedAt);
        insert.AddParameter("@expires", key.ExpiresAt.ToUnixTimeMilliseconds());
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (SqlDialect.IsUniqueViolation(ex))
        {
            throw new IdempotencyKeyTakenException($"Idempotency-Key '{key.Key}' was stored by a concurrent submit.", ex);
        }
    }

    private static DbCommand BuildImageInsert(DbConnection connection, DbTransaction transaction, long jobId, List<(long VisitId, ImageTask Image)> chunk)
    {
        // Ids, positions and states are numbers we produced, so they go inline; only the
        // client's URLs and the error texts travel as parameters.
        var sql = new StringBuilder(
            "INSERT INTO images (job_id, visit_id, seq, url, state, attempts, error, settled_at, next_attempt_at) VALUES ",
            100 + (chunk.Count * 48));
        var command = connection.CreateCommand(string.Empty, transaction);
        for (var i = 0; i < chunk.Count; i++)
        {
            var (visitId, image) = chunk[i];
            if (i > 0)
            {
                sql.Append(',');
            }

            sql.Append(CultureInfo.InvariantCulture, $"({jobId},{visitId},{image.Sequence},@u{i},{(int)image.State},0,");
            if (image.State.IsSettled())
            {
                sql.Append(CultureInfo.InvariantCulture, $"@e{i},@s{i},0)");
                command.AddParameter($"@e{i}", image.Error);
                command.AddParameter($"@s{i}", image.SettledAt);
            }
            else
            {
                sql.Append("NULL,NULL,0)");
            }

            command.AddParameter($"@u{i}", image.Url);
        }

#pragma warning disable CA2100 // Built from numbers and parameter names only.
        command.CommandText = sql.ToString();
#pragma warning restore CA2100
        return command;
    }
}
