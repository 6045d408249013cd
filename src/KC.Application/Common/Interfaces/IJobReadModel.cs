using KC.Domain.Jobs;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side: views projected straight from the database, without loading aggregates.</summary>
public interface IJobReadModel
{
    Task<JobStatusView?> GetStatusAsync(long jobId, CancellationToken cancellationToken);

    Task<JobDetailsView?> GetDetailsAsync(long jobId, CancellationToken cancellationToken);

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
}

public sealed record VisitView(
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTimeOffset VisitTime,
    JobStatus Status,
    IReadOnlyList<ImageView> Images);

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
