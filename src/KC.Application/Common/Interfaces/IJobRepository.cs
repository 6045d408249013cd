using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>Persists Job aggregates. One <see cref="SaveChangesAsync"/> per command.</summary>
public interface IJobRepository
{
    void Add(Job job);

    /// <summary>
    /// Adds a job whose submit carried an <c>Idempotency-Key</c>. <see cref="SaveChangesAsync"/> stores
    /// the key in the job's transaction, so neither exists without the other; when a concurrent
    /// submit stored the same unexpired key in the same scope first, it stores nothing and throws
    /// <see cref="Exceptions.IdempotencyKeyTakenException"/>. Expired keys are purged on the way.
    /// </summary>
    void Add(Job job, NewIdempotencyKey idempotencyKey);

    /// <summary>
    /// Stores the added jobs, each in one transaction with its visits, its images, its idempotency key
    /// and, for a job already settled (every store unknown), its pending completion callback.
    /// </summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>The unexpired idempotency key <paramref name="key"/> of <paramref name="scope"/>, or null when there is none.</summary>
    Task<IdempotencyKeyRecord?> FindIdempotencyKeyAsync(string scope, string key, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the cancel rule (<see cref="JobCancellation"/>) to the job as it stands when the
    /// cancel reaches it: a job not yet final is cancelled with its unsettled images, in one
    /// transaction that also queues its completion callback, if it has one; a final job is left
    /// as it is. Returns what the cancel came to, or null when there is no such job.
    /// </summary>
    Task<JobCancellation?> TryCancelAsync(long jobId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the retry rule (<see cref="JobRetry"/>) to the job as it stands: a failed job has its
    /// retryable failed images put back in the queue and becomes ongoing, and its callback's earlier
    /// delivery is removed so that its next settling sends a new one, in one transaction that also
    /// wakes idle workers on other nodes. Any other job, and a failed one with nothing to retry, is
    /// left as it is. Returns what the retry came to, or null when there is no such job.
    /// </summary>
    Task<JobRetry?> TryRetryAsync(long jobId, CancellationToken cancellationToken);
}
