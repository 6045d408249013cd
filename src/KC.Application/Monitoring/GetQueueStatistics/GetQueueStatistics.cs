using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using Mediator;

namespace KC.Application.Monitoring.GetQueueStatistics;

/// <summary>
/// How the queue stands and how busy this node is: the one source of these numbers, for the
/// metrics (<c>kc_queue_images</c>, <c>kc_queue_oldest_pending_age_seconds</c>,
/// <c>kc_gpu_slots_busy</c>, <c>kc_download_slots_busy</c>) and for anything else that shows them.
/// </summary>
public sealed record GetQueueStatisticsQuery : IQuery<QueueStatistics>;

/// <summary>
/// The queue across every node, counted at <see cref="CountedAt"/> (a few seconds old at most), and
/// this node's slots as they are now.
/// </summary>
/// <param name="PendingImages">Images of unsettled jobs waiting to be claimed.</param>
/// <param name="ProcessingImages">Images leased to a node and being worked on.</param>
/// <param name="OldestPendingAge">How long ago the oldest job with images still waiting was submitted; null when none waits.</param>
/// <param name="GpuSlots">This node's GPU slots (<c>Processing:MaxConcurrency</c>) and how many are in use.</param>
/// <param name="DownloadSlots">This node's download slots (<c>Processing:DownloadConcurrency</c>) and how many are in use.</param>
public sealed record QueueStatistics(
    long PendingImages,
    long ProcessingImages,
    TimeSpan? OldestPendingAge,
    SlotUsage GpuSlots,
    SlotUsage DownloadSlots,
    DateTimeOffset CountedAt);

public sealed class GetQueueStatisticsHandler(IQueueReadModel queue, IProcessingSlots slots, TimeProvider clock)
    : IQueryHandler<GetQueueStatisticsQuery, QueueStatistics>
{
    public async ValueTask<QueueStatistics> Handle(GetQueueStatisticsQuery query, CancellationToken cancellationToken)
    {
        var counts = await queue.CountAsync(cancellationToken).ConfigureAwait(false);

        // The age is taken now, not when the counts were cached, so it keeps growing between counts.
        var now = clock.GetUtcNow();
        var oldestAge = counts.OldestPendingSince is { } since ? (now - since).Duration() : (TimeSpan?)null;
        return new QueueStatistics(counts.PendingImages, counts.ProcessingImages, oldestAge, slots.GpuSlots, slots.DownloadSlots, counts.CountedAt);
    }
}
