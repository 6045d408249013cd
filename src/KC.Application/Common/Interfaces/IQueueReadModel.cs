namespace KC.Application.Common.Interfaces;

/// <summary>
/// The queue's size, read cheaply: from the per-job counters and the partial indexes, never by
/// counting every image, and at most once every few seconds however often it is asked.
/// </summary>
public interface IQueueReadModel
{
    Task<QueueCounts> CountAsync(CancellationToken cancellationToken);
}

/// <param name="PendingImages">Images of unsettled jobs not leased to any node.</param>
/// <param name="ProcessingImages">Images leased to a node.</param>
/// <param name="OldestPendingSince">When the oldest job that still has pending images was submitted; null when none has.</param>
/// <param name="CountedAt">When the database was read.</param>
public sealed record QueueCounts(long PendingImages, long ProcessingImages, DateTimeOffset? OldestPendingSince, DateTimeOffset CountedAt);
