using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using Mediator;

namespace KC.Application.Monitoring.GetQueueStatistics;

/// <summary>How deep the queue is, how long its oldest work has waited, and how busy this node's slots are.</summary>
public sealed record GetQueueStatisticsQuery : IQuery<QueueStatistics>;

/// <param name="Pending">Images waiting to be claimed, across every node.</param>
/// <param name="Processing">Images leased to a node now, across every node.</param>
/// <param name="OldestPendingAge">How long ago the oldest job that still has a pending image was submitted; null when nothing is pending.</param>
/// <param name="GpuSlotsBusy">This node's GPU slots (<c>Processing:MaxConcurrency</c>) held now.</param>
/// <param name="DownloadSlotsBusy">This node's download slots (<c>Processing:DownloadConcurrency</c>) held now.</param>
public sealed record QueueStatistics(
    long Pending,
    long Processing,
    TimeSpan? OldestPendingAge,
    int GpuSlotsBusy,
    int GpuSlots,
    int DownloadSlotsBusy,
    int DownloadSlots);

public sealed class GetQueueStatisticsHandler(IMonitoringReadModel readModel, ProcessingEngine engine, TimeProvider clock)
    : IQueryHandler<GetQueueStatisticsQuery, QueueStatistics>
{
    public async ValueTask<QueueStatistics> Handle(GetQueueStatisticsQuery query, CancellationToken cancellationToken)
    {
        var queue = await readModel.GetQueueAsync(cancellationToken).ConfigureAwait(false);
        var slots = engine.Slots;
        var age = queue.OldestPendingSince is { } since ? clock.GetUtcNow() - since : (TimeSpan?)null;
        return new QueueStatistics(
            queue.Pending,
            queue.Processing,
            age < TimeSpan.Zero ? TimeSpan.Zero : age,
            slots.GpuBusy,
            slots.GpuSlots,
            slots.DownloadBusy,
            slots.DownloadSlots);
    }
}
