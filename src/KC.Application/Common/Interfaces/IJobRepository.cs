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
    /// Cancels the job if it is ongoing, with its unsettled images, in one transaction that also
    /// queues its completion callback, if it has one. Returns the
    /// job's status afterwards (<see cref="JobStatus.Cancelled"/> when this call or an earlier one
    /// cancelled it), or null when there is no such job.
    /// </summary>
    Task<JobStatus?> TryCancelAsync(long jobId, DateTimeOffset now, CancellationToken cancellationToken);
}
