using KC.Application.Common.Interfaces;
using KC.Application.Monitoring.GetQueueStatistics;
using KC.Application.Processing;
using KC.TestSupport;
using Moq;

namespace KC.Application.UnitTests.Monitoring;

[TestFixture]
public sealed class GetQueueStatisticsHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Handle_WhenJobsWait_ReturnsTheCountsAndTheOldestAgeAsOfNow()
    {
        var countedAt = Now.AddSeconds(-3);
        var statistics = await HandleAsync(new QueueCounts(120, 7, Now.AddMinutes(-2), countedAt));

        Assert.That(statistics.PendingImages, Is.EqualTo(120));
        Assert.That(statistics.ProcessingImages, Is.EqualTo(7));
        Assert.That(statistics.OldestPendingAge, Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(statistics.CountedAt, Is.EqualTo(countedAt));
    }

    [Test]
    public async Task Handle_WhenNothingWaits_ReturnsNoOldestAge()
    {
        var statistics = await HandleAsync(new QueueCounts(0, 0, null, Now));

        Assert.That(statistics.OldestPendingAge, Is.Null);
    }

    [Test]
    public async Task Handle_WhenSlotsAreInUse_ReturnsThisNodesSlotsAsTheyAreNow()
    {
        var statistics = await HandleAsync(new QueueCounts(0, 0, null, Now), gpu: new SlotUsage(5, 64), downloads: new SlotUsage(100, 128));

        Assert.That(statistics.GpuSlots, Is.EqualTo(new SlotUsage(5, 64)));
        Assert.That(statistics.DownloadSlots, Is.EqualTo(new SlotUsage(100, 128)));
    }

    private static async Task<QueueStatistics> HandleAsync(QueueCounts counts, SlotUsage gpu = default, SlotUsage downloads = default)
    {
        var queue = new Mock<IQueueReadModel>();
        queue.Setup(q => q.CountAsync(It.IsAny<CancellationToken>())).ReturnsAsync(counts);
        var slots = new Mock<IProcessingSlots>();
        slots.SetupGet(s => s.GpuSlots).Returns(gpu);
        slots.SetupGet(s => s.DownloadSlots).Returns(downloads);
        var handler = new GetQueueStatisticsHandler(queue.Object, slots.Object, new FakeTimeProvider(Now));

        return await handler.Handle(new GetQueueStatisticsQuery(), CancellationToken.None);
    }
}
