using KC.Application.Common.Paging;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side of the job list and of a job's results export.</summary>
public interface IJobListReadModel
{
    /// <summary>Jobs newest first (by id, descending), optionally only those with <paramref name="status"/>.</summary>
    Task<ResultPage<JobSummaryView>> ListAsync(JobStatus? status, PageRequest page, CancellationToken cancellationToken);

    Task<bool> JobExistsAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="take"/> jobs matching <paramref name="filter"/>: below <paramref name="cursor"/>
    /// (or from the newest, when null) newest first, or, with <paramref name="newer"/>, above it oldest first.
    /// </summary>
    Task<IReadOnlyList<JobSummaryView>> BrowseAsync(JobFilter filter, long? cursor, bool newer, int take, CancellationToken cancellationToken);

    /// <summary>How many jobs match <paramref name="filter"/>.</summary>
    Task<long> CountAsync(JobFilter filter, CancellationToken cancellationToken);

    /// <summary>The ids of up to <paramref name="max"/> jobs matching <paramref name="filter"/>, newest first.</summary>
    Task<IReadOnlyList<long>> FindIdsAsync(JobFilter filter, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Every image of the job in submission order, joined to its visit and store, read from the
    /// database as it is enumerated: nothing is loaded up front. Pass the cancellation token with
    /// <c>WithCancellation</c>.
    /// </summary>
    IAsyncEnumerable<JobResultRow> ReadResults(long jobId);
}

public sealed record JobSummaryView(long JobId, JobStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, JobProgress Progress);

/// <summary>One image's result with the visit and store it belongs to: a row of the results export.</summary>
public sealed record JobResultRow(
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTimeOffset VisitTime,
    string ImageUrl,
    ImageState State,
    int? Width,
    int? Height,
    long? Perimeter,
    string? Error,
    long? Bytes = null,
    int? DownloadMs = null,
    int? GpuMs = null);
