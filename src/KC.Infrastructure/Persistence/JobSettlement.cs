using System.Data.Common;
using System.Globalization;
using KC.Application.Common.Telemetry;
using KC.Domain.Jobs;
using KC.Infrastructure.Callbacks;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The one path that gives jobs their final status and queues their completion callbacks, called
/// inside the caller's transaction: the work queue's outcome batches, a cancel, and the submit of
/// a job whose stores are all unknown; and the one path that takes a failed job back (a retry).
/// The rules are the domain's (<see cref="JobStatusExtensions"/>, <see cref="JobCancellation"/>,
/// <see cref="JobRetry"/>); this applies them set-wise. Every job row is settled only while its
/// status is not final, so a job settles once however its last outcomes, a cancel and a retried
/// batch interleave, and its callback is queued by the one transaction that settled it. A retry
/// opens the job again and removes its callback's delivery, so the next settling queues a new one.
/// A job settled as failed keeps its error list (<see cref="FailureSummaries"/>), written here too.
/// Each settling path returns the jobs it settled (<see cref="SettledJob"/>), which its caller
/// reports to <see cref="JobLifecycle"/> once the transaction has committed.
/// </summary>
internal static class JobSettlement
{
    /// <summary>The final job statuses as a SQL list (<c>1, 2, 3</c>), for statements that pick finished jobs.</summary>
    public static readonly string FinalStatuses = SqlList(Enum.GetValues<JobStatus>().Where(s => s.IsFinal()).Select(s => (int)s));

    private static readonly string OpenStatuses = SqlList(Enum.GetValues<JobStatus>().Where(s => !s.IsFinal()).Select(s => (int)s));

    private static readonly string UnsettledImageStates = SqlList(Enum.GetValues<ImageState>().Where(s => !s.IsSettled()).Select(s => (int)s));

    private static readonly string SettleJobSql = $"""
        UPDATE jobs SET status = @status, completed_at = @completed
        WHERE id = @id AND status IN ({OpenStatuses})
        RETURNING created_at, total_images, succeeded_images, failed_images
        """;

    // Leased images too: their owner's outcome is then refused by the queue's state guard.
    private static readonly string CancelImagesSql = $"""
        UPDATE images SET state = {(int)ImageState.Cancelled}, settled_at = @now, lease_owner = NULL, lease_expires_at = NULL
        WHERE job_id = @id AND state IN ({UnsettledImageStates})
        """;

    private const string ReadStatusSql = "SELECT status FROM jobs WHERE id = @id";

    // The retry's guard, as the settle guard is the settling's: of two retries, or a retry and
    // anything else that moves the job, one finds it failed and the other does not.
    private static readonly string ReopenJobSql = $"""
        UPDATE jobs SET status = {(int)JobStatus.Ongoing}, completed_at = NULL, error_summary = NULL
        WHERE id = @id AND status = {(int)JobStatus.Failed}
        """;

    // A store imported since the submit is known from now on: its visit's images may be retried.
    private const string LearnStoresSql = """
        UPDATE visits SET store_known = @known
        WHERE job_id = @id AND NOT store_known AND store_id IN (SELECT store_id FROM stores)
        """;

    // JobRetry.Requeues: failed, and of a store the master holds. Pending again from scratch (due
    // now, no claims counted against Processing:MaxClaims); attempts and last_error are history and stay.
    private static readonly string RequeueImagesSql = $"""
        UPDATE images
        SET state = {(int)ImageState.Pending}, error = NULL, settled_at = NULL, settled_by = NULL,
            next_attempt_at = 0, claims = 0, lease_owner = NULL, lease_expires_at = NULL
        WHERE job_id = @id AND state = {(int)ImageState.Failed}
          AND visit_id IN (SELECT id FROM visits WHERE job_id = @id AND store_known)
        """;

    private const string UncountFailuresSql = "UPDATE jobs SET failed_images = failed_images - @requeued WHERE id = @id";

    // The earlier settling's delivery goes, attempts first (they belong to it): the job settles
    // again, and that settling queues its own callback with the status it ends in.
    private const string ForgetCallbackAttemptsSql = "DELETE FROM callback_attempts WHERE job_id = @id";
    private const string ForgetCallbackSql = "DELETE FROM callback_deliveries WHERE job_id = @id";

    /// <summary>
    /// Settles the jobs whose counters, just moved and read back in this transaction, say they are
    /// done (<see cref="JobStatusExtensions.SettlesIn"/>), and queues their callbacks. Returns the
    /// jobs it settled; a job some other transaction settled first is not among them.
    /// </summary>
    public static async Task<IReadOnlyList<SettledJob>> SettleAsync(
        DbConnection connection,
        DbTransaction transaction,
        IEnumerable<(long JobId, JobStatus Current, JobProgress Progress)> counted,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counted);
        var settling = counted
            .Select(c => (c.JobId, Status: c.Current.SettlesIn(c.Progress)))
            .Where(c => c.Status is not null)
            .ToList();
        if (settling.Count == 0)
        {
            return [];
        }

        await using var settle = connection.CreateCommand(SettleJobSql, transaction);
        var id = settle.AddParameter("@id", 0L);
        var status = settle.AddParameter("@status", 0);
        settle.AddParameter("@completed", now);
        var settled = new List<SettledJob>(settling.Count);
        foreach (var (jobId, final) in settling)
        {
            id.Value = jobId;
            status.Value = (int)final!.Value;
            if (await ReadSettledAsync(settle, jobId, final.Value, now, cancellationToken).ConfigureAwait(false) is { } job)
            {
                settled.Add(job);
            }
        }

        foreach (var failed in settled.Where(s => s.Status == JobStatus.Failed))
        {
            await FailureSummaries.StoreAsync(connection, transaction, failed.JobId, cancellationToken).ConfigureAwait(false);
        }

        await CallbackOutbox.EnqueueAsync(connection, transaction, settled.ConvertAll(s => s.JobId), now, cancellationToken).ConfigureAwait(false);
        return settled;
    }

    /// <summary>
    /// Applies the cancel rule to the job as it stands: one not yet final is settled as cancelled,
    /// with its unsettled images, and its callback is queued; a final one is left as it is. Returns
    /// what the cancel came to (null when there is no such job) and, when it cancelled the job now,
    /// the settled job with the images it cancelled.
    /// </summary>
    public static async Task<(JobCancellation? Cancellation, SettledJob? Settled)> CancelAsync(
        DbConnection connection,
        DbTransaction transaction,
        long jobId,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // The settle guard decides and applies in one statement: a cancel that meets the job's last
        // outcome batch either cancels it first or finds it final, never both.
        await using (var cancelJob = connection.CreateCommand(SettleJobSql, transaction))
        {
            cancelJob.AddParameter("@id", jobId);
            cancelJob.AddParameter("@status", (int)JobStatus.Cancelled);
            cancelJob.AddParameter("@completed", now);
            if (await ReadSettledAsync(cancelJob, jobId, JobStatus.Cancelled, now, cancellationToken).ConfigureAwait(false) is { } settled)
            {
                await using var cancelImages = connection.CreateCommand(CancelImagesSql, transaction);
                cancelImages.AddParameter("@id", jobId);
                cancelImages.AddParameter("@now", now);
                await cancelImages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await CallbackOutbox.EnqueueAsync(connection, transaction, [jobId], now, cancellationToken).ConfigureAwait(false);

                // The guard let through only a job that was not final, and ongoing is the one such status.
                return (JobCancellation.Of(JobStatus.Ongoing), settled);
            }
        }

        await using var read = connection.CreateCommand(ReadStatusSql, transaction);
        read.AddParameter("@id", jobId);
        var found = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (found is null or DBNull ? null : JobCancellation.Of((JobStatus)Convert.ToInt32(found, CultureInfo.InvariantCulture)), null);
    }

    /// <summary>
    /// Applies the retry rule to the job as it stands: a failed one has its retryable failed images
    /// (<see cref="JobRetry.Requeues"/>) put back in the queue, its failed counter lowered by as many
    /// and its status made ongoing, and its callback's earlier delivery removed; any other is left as
    /// it is. A failed job with nothing to retry comes back as such, with the job already opened:
    /// the caller rolls the transaction back. Returns what the retry came to, or null when there is
    /// no such job.
    /// </summary>
    public static async Task<JobRetry?> RetryAsync(
        DbConnection connection,
        DbTransaction transaction,
        long jobId,
        CancellationToken cancellationToken)
    {
        if (await ExecuteAsync(connection, transaction, ReopenJobSql, jobId, cancellationToken).ConfigureAwait(false) != 1)
        {
            await using var read = connection.CreateCommand(ReadStatusSql, transaction);
            read.AddParameter("@id", jobId);
            var found = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return found is null or DBNull ? null : JobRetry.Of((JobStatus)Convert.ToInt32(found, CultureInfo.InvariantCulture));
        }

        await using (var learn = connection.CreateCommand(LearnStoresSql, transaction))
        {
            learn.AddParameter("@id", jobId);
            learn.AddParameter("@known", true);
            await learn.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var requeued = await ExecuteAsync(connection, transaction, RequeueImagesSql, jobId, cancellationToken).ConfigureAwait(false);
        if (requeued == 0)
        {
            return JobRetry.Of(JobStatus.Failed);
        }

        await using (var uncount = connection.CreateCommand(UncountFailuresSql, transaction))
        {
            uncount.AddParameter("@id", jobId);
            uncount.AddParameter("@requeued", requeued);
            await uncount.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, ForgetCallbackAttemptsSql, jobId, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, ForgetCallbackSql, jobId, cancellationToken).ConfigureAwait(false);
        return JobRetry.Of(JobStatus.Failed, requeued);
    }

    /// <summary>
    /// A job just inserted in its submit's transaction with the status the aggregate gave it: one of
    /// unknown stores only is final from the start, so its callback is queued with it, and it is
    /// returned as settled; null for a job that has work to do.
    /// </summary>
    public static async Task<SettledJob?> SubmittedAsync(
        DbConnection connection,
        DbTransaction transaction,
        long jobId,
        Job job,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.Status.IsFinal())
        {
            return null;
        }

        if (job.Status == JobStatus.Failed)
        {
            await FailureSummaries.StoreAsync(connection, transaction, jobId, cancellationToken).ConfigureAwait(false);
        }

        var settledAt = job.CompletedAt ?? job.CreatedAt;
        await CallbackOutbox.EnqueueAsync(connection, transaction, [jobId], settledAt, cancellationToken).ConfigureAwait(false);
        return new SettledJob(jobId, job.Status, job.CreatedAt, settledAt, job.Progress);
    }

    /// <summary>Runs the settle guard for one job; the job as it settled, or null when it was final already.</summary>
    private static async Task<SettledJob?> ReadSettledAsync(DbCommand settle, long jobId, JobStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var reader = await settle.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var submittedAt = reader.GetFieldValue<DateTimeOffset>(0);
        return new SettledJob(jobId, status, submittedAt, now, JobProgress.Of(status, reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)));
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, long jobId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(sql, transaction);
        command.AddParameter("@id", jobId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string SqlList(IEnumerable<int> values) =>
        string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
