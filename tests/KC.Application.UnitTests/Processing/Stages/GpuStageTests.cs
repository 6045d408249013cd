using KC.TestSupport;
using KC.Application.Processing;
using KC.Application.Processing.Stages;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Processing.Stages;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class GpuStageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly ImageSize Size = new(640, 480);

    private readonly Mock<IGpuStep> _gpu = new(MockBehavior.Strict);

    private static ImageInFlight Measured(long imageId = 1) =>
        new(new ClaimedImage(imageId, JobId: 10, VisitId: 100, $"https://images.example.com/{imageId}.jpg", PriorAttempts: 0))
        {
            Size = Size,
            Attempts = 1,
        };

    [Test]
    public async Task RunAsync_WhenTheImageWasMeasured_RunsTheGpuOnItsSizeAndPassesItOn()
    {
        _gpu.Setup(g => g.RunAsync(Size, It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        using var stage = new GpuStage(_gpu.Object, slots: 1, TestTelemetry.Instruments);

        var outcome = await stage.RunAsync(Measured(), CancellationToken.None);

        Assert.That(outcome, Is.Null);
        _gpu.Verify(g => g.RunAsync(Size, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task RunAsync_WhenTheGpuStepEnds_KeepsHowLongItTook()
    {
        _gpu.Setup(g => g.RunAsync(Size, It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        using var stage = new GpuStage(_gpu.Object, slots: 1, TestTelemetry.Instruments);
        var image = Measured();

        await stage.RunAsync(image, CancellationToken.None);

        Assert.That(image.GpuTime, Is.Not.Null);
        Assert.That(image.Succeeded().GpuMs, Is.Not.Null.And.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void RunAsync_WhenTheImageWasNotMeasured_ThrowsWithoutRunningTheGpu()
    {
        using var stage = new GpuStage(_gpu.Object, slots: 1, TestTelemetry.Instruments);
        var image = Measured();
        image.Size = null;

        Assert.That(async () => await stage.RunAsync(image, CancellationToken.None), Throws.InvalidOperationException);
        _gpu.VerifyNoOtherCalls();
    }

    [Test]
    public async Task RunAsync_WhenEverySlotIsTaken_WaitsForOneBeforeRunning()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        _gpu.Setup(g => g.RunAsync(Size, It.IsAny<CancellationToken>()))
            .Returns(async (ImageSize _, CancellationToken _) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothStarted.TrySetResult();
                }

                await gate.Task;
            });
        using var stage = new GpuStage(_gpu.Object, slots: 2, TestTelemetry.Instruments);

        var runs = Enumerable.Range(1, 3).Select(i => stage.RunAsync(Measured(i), CancellationToken.None).AsTask()).ToList();
        await bothStarted.Task.WaitAsync(Timeout);
        var startedWhileFull = Volatile.Read(ref started);
        gate.SetResult();
        await Task.WhenAll(runs).WaitAsync(Timeout);

        Assert.That(startedWhileFull, Is.EqualTo(2), "GPU steps started with every slot taken");
        Assert.That(started, Is.EqualTo(3));
    }

    [Test]
    public async Task RunAsync_WhenTheGpuThrows_FreesItsSlot()
    {
        _gpu.SetupSequence(g => g.RunAsync(Size, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("device lost"))
            .Returns(Task.CompletedTask);
        using var stage = new GpuStage(_gpu.Object, slots: 1, TestTelemetry.Instruments);

        var failed = stage.RunAsync(Measured(1), CancellationToken.None).AsTask();
        var next = await stage.RunAsync(Measured(2), CancellationToken.None).AsTask().WaitAsync(Timeout);

        Assert.That(failed.IsFaulted, Is.True);
        Assert.That(next, Is.Null);
    }
}
