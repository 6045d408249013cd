using KC.Application.Processing;
using KC.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class LeaseKeeperTests : IDisposable
{
    private const string Owner = "node-a/0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Mock<IWorkQueue> _queue = new(MockBehavior.Strict);
    private readonly JobsInFlight _jobs = new();
    private readonly WorkSignal _workSignal = new();

    [SetUp]
    public void HealthyQueue()
    {
        _queue.Setup(q => q.RenewLeasesAsync(Owner, It.IsAny<CancellationToken>())).ReturnsAsync(3);
        _queue.Setup(q => q.ReclaimExpiredLeasesAsync(It.IsAny<CancellationToken>())).ReturnsAsync(0);
    }

    public void Dispose() => _workSignal.Dispose();

    [Test]
    public async Task BeatAsync_WhenTheLeasesAreRenewed_MarksTheWorkerAliveAtTheClocksTime()
    {
        var keeper = Keeper();
        var before = keeper.LastHeartbeatAt;

        await keeper.BeatAsync(CancellationToken.None);

        Assert.That(before, Is.Null);
        Assert.That(keeper.LastHeartbeatAt, Is.EqualTo(Now));
        _queue.Verify(q => q.RenewLeasesAsync(Owner, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task BeatAsync_WhenRenewingFails_KeepsTheLastHeartbeatAndGoesNoFurther()
    {
        _queue.Setup(q => q.RenewLeasesAsync(Owner, It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("database is locked"));
        var keeper = Keeper();

        await keeper.BeatAsync(CancellationToken.None);

        Assert.That(keeper.LastHeartbeatAt, Is.Null);
        _queue.Verify(q => q.ReclaimExpiredLeasesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task BeatAsync_WhenLapsedLeasesWereReclaimed_WakesTheClaimLoop()
    {
        _queue.Setup(q => q.ReclaimExpiredLeasesAsync(It.IsAny<CancellationToken>())).ReturnsAsync(2);
        var keeper = Keeper();

        await keeper.BeatAsync(CancellationToken.None);

        Assert.That(await _workSignal.WaitAsync(TimeSpan.Zero, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task BeatAsync_WhenNoLeaseLapsed_LeavesTheClaimLoopAsleep()
    {
        var keeper = Keeper();

        await keeper.BeatAsync(CancellationToken.None);

        Assert.That(await _workSignal.WaitAsync(TimeSpan.Zero, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task BeatAsync_WhenAJobInFlightWasCancelledThroughAnotherNode_InterruptsOnlyItsImages()
    {
        var cancelled = _jobs.Enter(10);
        var running = _jobs.Enter(20);
        _queue.Setup(q => q.FindCancelledAsync(It.Is<IReadOnlyCollection<long>>(ids => ids.Order().SequenceEqual(new long[] { 10, 20 })), It.IsAny<CancellationToken>()))
            .ReturnsAsync([10]);
        var keeper = Keeper();

        await keeper.BeatAsync(CancellationToken.None);

        Assert.That(cancelled.IsCancellationRequested, Is.True);
        Assert.That(running.IsCancellationRequested, Is.False);
    }

    [Test]
    public async Task BeatAsync_WhenNoJobIsInFlight_DoesNotLookForCancelledJobs()
    {
        var keeper = Keeper();

        await keeper.BeatAsync(CancellationToken.None);

        _queue.Verify(q => q.FindCancelledAsync(It.IsAny<IReadOnlyCollection<long>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task RunAsync_WhenRunning_BeatsUntilCancelledAndThenEndsQuietly()
    {
        var renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Setup(q => q.RenewLeasesAsync(Owner, It.IsAny<CancellationToken>()))
            .Callback(() => renewed.TrySetResult())
            .ReturnsAsync(1);
        var keeper = Keeper(leaseSeconds: 1);
        using var stopping = new CancellationTokenSource();

        var run = keeper.RunAsync(stopping.Token);
        await renewed.Task.WaitAsync(Timeout);
        await stopping.CancelAsync();
        await run.WaitAsync(Timeout);

        Assert.That(run.IsCompletedSuccessfully, Is.True);
        Assert.That(keeper.LastHeartbeatAt, Is.EqualTo(Now));
    }

    private LeaseKeeper Keeper(int leaseSeconds = 30) => new(
        _queue.Object,
        _jobs,
        _workSignal,
        new ProcessingOptions { LeaseSeconds = leaseSeconds },
        Owner,
        TestTelemetry.Instruments,
        new FakeTimeProvider(Now),
        NullLogger<LeaseKeeper>.Instance);
}
