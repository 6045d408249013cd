using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>Persists Job aggregates. One <see cref="SaveChangesAsync"/> per command.</summary>
public interface IJobRepository
{
    void Add(Job job);

    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the job if it is ongoing, with its unsettled images, in one transaction. Returns the
    /// job's status afterwards (<see cref="JobStatus.Cancelled"/> when this call or an earlier one
    /// cancelled it), or null when there is no such job.
    /// </summary>
    Task<JobStatus?> TryCancelAsync(long jobId, DateTimeOffset now, CancellationToken cancellationToken);
}
