using KC.TestSupport;
using KC.Application.Processing;
using KC.Application.Processing.Stages;
using KC.Domain.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
public sealed class ImagePipelineTests
{
    private static readonly ClaimedImage Image = new(7, JobId: 10, VisitId: 100, "https://images.example.com/7.jpg", PriorAttempts: 0);
    private static readonly ImageSize Size = new(640, 480);

    [Test]
    public async Task RunAsync_WhenEveryStagePasses_SucceedsWithWhatTheStagesLearned()
    {
        using var pipeline = Pipeline(
            Stage(image =>
            {
                image.Size = Size;
                image.Attempts = 2;
                image.LastError = "HTTP 503";
            }),
            Stage(_ => { }));

        var outcome = await pipeline.RunAsync(Image, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(ImageOutcome.Succeeded(Image, Size, attempts: 2, lastError: "HTTP 503")));
    }

    [Test]
    public async Task RunAsync_WhenAStageSettlesTheImage_RunsNoStageAfterIt()
    {
        var later = Stage(_ => { });
        using var pipeline = Pipeline(new FakeStage(image => image.Failed("too small", ImageFailureReason.NotAnImage)), later);

        var outcome = await pipeline.RunAsync(Image, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(ImageOutcome.Failed(Image, "too small", attempts: 0, ImageFailureReason.NotAnImage)));
        Assert.That(later.Runs, Is.Zero);
    }

    [Test]
    public async Task RunAsync_WhenAStageThrowsUnexpectedly_FailsTheImageWithTheAttemptsMadeSoFar()
    {
        var later = Stage(_ => { });
        using var pipeline = Pipeline(
            Stage(image =>
            {
                image.Size = Size;
                image.Attempts = 3;
            }),
            Stage(_ => throw new InvalidOperationException("device lost")),
            later);

        var outcome = await pipeline.RunAsync(Image, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(ImageOutcome.Failed(Image, "unexpected error: device lost", attempts: 3)));
        Assert.That(later.Runs, Is.Zero);
    }

    [Test]
    public async Task RunAsync_WhenAStageIsCancelledByNobody_FailsTheImageAsAnUnexpectedError()
    {
        // An HttpClient timeout surfaces as a TaskCanceledException although nobody cancelled the image.
        using var pipeline = Pipeline(Stage(_ => throw new TaskCanceledException("timed out")));

        var outcome = await pipeline.RunAsync(Image, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(ImageOutcome.Failed(Image, "unexpected error: timed out", attempts: 0)));
    }

    [Test]
    public void RunAsync_WhenTheImageIsCancelled_ThrowsInsteadOfSettlingIt()
    {
        using var cancellation = new CancellationTokenSource();
        using var pipeline = Pipeline(new FakeStage((_, ct) =>
        {
            cancellation.Cancel();
            ct.ThrowIfCancellationRequested();
            return null;
        }));

        Assert.That(async () => await pipeline.RunAsync(Image, cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Create_WhenTheImageIsFine_DownloadsItThenRunsTheGpuOnTheMeasuredSize()
    {
        var steps = new List<string>();
        var downloader = new Mock<IImageDownloader>(MockBehavior.Strict);
        downloader.Setup(d => d.DownloadAsync(new Uri(Image.Url), It.IsAny<CancellationToken>()))
            .Callback(() => steps.Add("download"))
            .ReturnsAsync(new DownloadedImage(Size, Bytes: 1_000));
        var gpu = new Mock<IGpuStep>(MockBehavior.Strict);
        gpu.Setup(g => g.RunAsync(Size, It.IsAny<CancellationToken>()))
            .Callback(() => steps.Add("gpu"))
            .Returns(Task.CompletedTask);
        using var pipeline = ImagePipeline.Create(new ProcessingOptions(), downloader.Object, gpu.Object, TestTelemetry.Instruments, NullLogger<ImagePipeline>.Instance);

        var outcome = await pipeline.RunAsync(Image, CancellationToken.None);

        Assert.That(outcome with { DownloadMs = null, GpuMs = null }, Is.EqualTo(ImageOutcome.Succeeded(Image, Size) with { Bytes = 1_000 }));
        Assert.That(outcome.DownloadMs, Is.Not.Null);
        Assert.That(outcome.GpuMs, Is.Not.Null);
        Assert.That(steps, Is.EqualTo(new[] { "download", "gpu" }));
    }

    [Test]
    public async Task Create_WhenTheImageWasClaimedTooOften_FailsItBeforeAnyDownload()
    {
        var options = new ProcessingOptions();
        var poison = Image with { Claims = options.MaxClaims + 1 };
        var downloader = new Mock<IImageDownloader>(MockBehavior.Strict);
        var gpu = new Mock<IGpuStep>(MockBehavior.Strict);
        using var pipeline = ImagePipeline.Create(options, downloader.Object, gpu.Object, TestTelemetry.Instruments, NullLogger<ImagePipeline>.Instance);

        var outcome = await pipeline.RunAsync(poison, CancellationToken.None);

        Assert.That(outcome.IsSuccess, Is.False);
        Assert.That(outcome.Error, Does.StartWith("abandoned after 10 claims"));
        downloader.VerifyNoOtherCalls();
        gpu.VerifyNoOtherCalls();
    }

    [Test]
    public void Dispose_WhenStagesHoldResources_DisposesThem()
    {
        var stage = Stage(_ => { });
        var pipeline = Pipeline(stage);

        pipeline.Dispose();

        Assert.That(stage.Disposed, Is.True);
    }

    private static ImagePipeline Pipeline(params IImageStage[] stages) => new(stages, NullLogger<ImagePipeline>.Instance);

    /// <summary>A stage that does <paramref name="learn"/> to the image and passes it on.</summary>
    private static FakeStage Stage(Action<ImageInFlight> learn) => new(image =>
    {
        learn(image);
        return null;
    });

    private sealed class FakeStage(Func<ImageInFlight, CancellationToken, ImageOutcome?> run) : IImageStage, IDisposable
    {
        public FakeStage(Func<ImageInFlight, ImageOutcome?> run)
            : this((image, _) => run(image))
        {
        }

        public int Runs { get; private set; }

        public bool Disposed { get; private set; }

        public ValueTask<ImageOutcome?> RunAsync(ImageInFlight image, CancellationToken cancellationToken)
        {
            Runs++;
            return ValueTask.FromResult(run(image, cancellationToken));
        }

        public void Dispose() => Disposed = true;
    }
}
