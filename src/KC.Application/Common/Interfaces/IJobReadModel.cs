using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side: views projected straight from the database, without loading aggregates.</summary>
public interface IJobReadModel
{
    Task<JobStatusView?> GetStatusAsync(long jobId, CancellationToken cancellationToken);

    Task<JobDetailsView?> GetDetailsAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>
    /// The job as its page lists it: the visits with a failure first, then the rest, each group in
    /// submission order; every visit with its status and image count, but only the first
    /// <paramref name="maxImages"/> images in that order, so a huge job costs what its page shows.
    /// </summary>
    Task<JobDetailsView?> GetPageAsync(long jobId, int maxImages, CancellationToken cancellationToken);

    /// <summary>The job's status, times and counters: one primary-key read, for a page that follows a running job.</summary>
    Task<JobSummaryView?> GetSummaryAsync(long jobId, CancellationToken cancellationToken);
}

public sealed record StoreError(string StoreId, string Error);

public sealed record JobStatusView(long JobId, JobStatus Status, JobProgress Progress, IReadOnlyList<StoreError> Errors);

public sealed record JobDetailsView(
    long JobId,
    JobStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    JobProgress Progress,
    IReadOnlyList<VisitView> Visits,
    IReadOnlyList<StoreError> Errors)
{
    /// <summary>When the job should settle at its observed rate; set by the query handler, which owns the clock.</summary>
    public DateTimeOffset? EstimatedCompletionAt { get; init; }

    /// <summary>The completion callback and its delivery attempts; null when the job was submitted without a <c>callback_url</c>.</summary>
    public CallbackView? Callback { get; init; }

    /// <summary>The view with <see cref="EstimatedCompletionAt"/> set as of <paramref name="now"/> while the job runs.</summary>
    public JobDetailsView WithEstimate(DateTimeOffset now) =>
        Status.IsFinal() ? this : this with { EstimatedCompletionAt = Progress.EstimateCompletion(CreatedAt, now) };
}

public sealed record VisitView(
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTimeOffset VisitTime,
    JobStatus Status,
    IReadOnlyList<ImageView> Images)
{
    /// <summary>How many images the visit has: more than <see cref="Images"/> holds on a page that lists only some.</summary>
    public int ImageCount { get; init; } = Images?.Count ?? 0;
}

/// <param name="Bytes">The body's length, once downloaded whole.</param>
/// <param name="DownloadMs">How long the download took, success or not; null until it ended.</param>
/// <param name="GpuMs">How long the GPU step took; null until it ran.</param>
public sealed record ImageView(
    string ImageUrl,
    ImageState State,
    int Attempts,
    int? Width,
    int? Height,
    long? Perimeter,
    string? Error,
    string? LastError = null,
    long? Bytes = null,
    int? DownloadMs = null,
    int? GpuMs = null);
