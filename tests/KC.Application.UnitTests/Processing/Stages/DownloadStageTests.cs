using KC.TestSupport;
using KC.Application.Processing;
using KC.Application.Processing.Stages;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Processing.Stages;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class DownloadStageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly ImageSize Size = new(640, 480);

    private readonly Mock<IImageDownloader> _downloader = new(MockBehavior.Strict);

    private static ImageInFlight Claimed(long imageId = 1) =>
        new(new ClaimedImage(imageId, JobId: 10, VisitId: 100, $"https://images.example.com/{imageId}.jpg", PriorAttempts: 0));

    [Test]
    public async Task RunAsync_WhenTheDownloadSucceeds_RecordsTheSizeAttemptsAndLastErrorAndPassesTheImageOn()
    {
        var image = Claimed();
        _downloader.Setup(d => d.DownloadAsync(new Uri(image.Claimed.Url), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DownloadedImage(Size, Bytes: 1_000, Attempts: 2, LastError: "HTTP 503"));
        using var stage = new DownloadStage(_downloader.Object, slots: 1, TestTelemetry.Instruments);

        var outcome = await stage.RunAsync(image, CancellationToken.None);

        Assert.That(outcome, Is.Null);
        Assert.That((image.Size, image.Attempts, image.LastError), Is.EqualTo(((ImageSize?)Size, 2, (string?)"HTTP 503")));
    }

    [Test]
    public async Task RunAsync_WhenTheDownloadFailsForGood_FailsTheImageWithItsMessageAndAttempts()
    {
        var image = Claimed();
        _downloader.Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ImageFailureException("HTTP 404", attempts: 2));
        using var stage = new DownloadStage(_downloader.Object, slots: 1, TestTelemetry.Instruments);

        var outcome = await stage.RunAsync(image, CancellationToken.None);

        Assert.That(outcome! with { DownloadMs = null }, Is.EqualTo(ImageOutcome.Failed(image.Claimed, "HTTP 404", attempts: 2)));
        Assert.That(image.Size, Is.Null);
    }

    [Test]
    public async Task RunAsync_WhenTheDownloadFailsForGood_KeepsTheFailureReasonAndHowLongTheDownloadTook()
    {
        var image = Claimed();
        _downloader.Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ImageFailureException("HTTP 404", ImageFailureReason.Http4xx));
        using var stage = new DownloadStage(_downloader.Object, slots: 1, TestTelemetry.Instruments);

        var outcome = await stage.RunAsync(image, CancellationToken.None);

        Assert.That(outcome!.Reason, Is.EqualTo(ImageFailureReason.Http4xx));
        Assert.That(outcome.DownloadMs, Is.Not.Null.And.GreaterThanOrEqualTo(0));
        Assert.That(outcome.Bytes, Is.Null);
    }

    [Test]
    public async Task RunAsync_WhenTheDownloadSucceeds_KeepsTheBodysBytesAndHowLongItTook()
    {
        var image = Claimed();
        _downloader.Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DownloadedImage(Size, Bytes: 48_213));
        using var stage = new DownloadStage(_downloader.Object, slots: 1, TestTelemetry.Instruments);

        await stage.RunAsync(image, CancellationToken.None);

        Assert.That(image.Bytes, Is.EqualTo(48_213));
        Assert.That(image.DownloadTime, Is.Not.Null);
        Assert.That(image.Succeeded().Bytes, Is.EqualTo(48_213));
    }

    [Test]
    public void RunAsync_WhenTheDownloaderThrowsUnexpectedly_CountsTheAttemptItBroke()
    {
        var image = Claimed();
        _downloader.Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("socket exploded"));
        using var stage = new DownloadStage(_downloader.Object, slots: 1, TestTelemetry.Instruments);

        Assert.That(async () => await stage.RunAsync(image, CancellationToken.None), Throws.InvalidOperationException);
        Assert.That(image.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_WhenEverySlotIsTaken_WaitsForOneBeforeDownloading()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        _downloader.Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .Returns(async (Uri _, CancellationToken _) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothStarted.TrySetResult();
                }

                await gate.Task;
                return new DownloadedImage(Size, Bytes: 1_000);
            });
        using var stage = new DownloadStage(_downloader.Object, slots: 2, TestTelemetry.Instruments);

        var runs = Enumerable.Range(1, 3).Select(i => stage.RunAsync(Claimed(i), CancellationToken.None).AsTask()).ToList();
        await bothStarted.Task.WaitAsync(Timeout);
        var startedWhileFull = Volatile.Read(ref started);
        gate.SetResult();
        await Task.WhenAll(runs).WaitAsync(Timeout);

        Assert.That(startedWhileFull, Is.EqualTo(2), "downloads started with every slot taken");
        Assert.That(started, Is.EqualTo(3));
    }

    [Test]
    public async Task RunAsync_WhenADownloadFails_FreesItsSlot()
    {
        _downloader.SetupSequence(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("socket exploded"))
            .ReturnsAsync(new DownloadedImage(Size, Bytes: 1_000));
        using var stage = new DownloadStage(_downloader.Object, slots: 1, TestTelemetry.Instruments);

        var failed = stage.RunAsync(Claimed(1), CancellationToken.None).AsTask();
        var next = await stage.RunAsync(Claimed(2), CancellationToken.None).AsTask().WaitAsync(Timeout);

        Assert.That(failed.IsFaulted, Is.True);
        Assert.That(next, Is.Null);
    }
}
