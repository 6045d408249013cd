using System.Collections.Concurrent;
using KC.Application.Processing;
using KC.TestSupport;
using KC.Domain.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
public sealed class ProcessingEngineTests
{
    private static readonly NodeIdentity Node = new("node-a") { RunId = "0123456789abcdef" };

    /// <summary>What this engine's leases are held by: its node's run, not the node id alone.</summary>
    private static readonly string Owner = Node.LeaseOwner;
    private const int MaxConcurrency = 2;
    private const int DownloadConcurrency = 2;

    /// <summary>The engine's clock, stopped.</summary>
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Generous, so that a bug fails the test instead of hanging it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static ClaimedImage Claimed(long imageId, long visitId = 100, long jobId = 10, string? url = null) =>
        new(imageId, jobId, visitId, url ?? $"https://images.example.com/{imageId}.jpg", PriorAttempts: 0);

    private static List<ClaimedImage> Batch(int count, int visits = 2) =>
        Enumerable.Range(1, count).Select(i => Claimed(i, visitId: 100 + (i % visits))).ToList();

    /// <summary>The size the fake downloader and measurer agree on for an image.</summary>
    private static ImageSize SizeOf(long imageId) => new(600 + (int)imageId, 400 + (int)imageId);

    [Test]
    public async Task RunAsync_WhenImagesDownloadAndMeasure_RecordsOneSuccessPerImageWithTheMeasuredSize()
    {
        var images = Batch(4);
        using var harness = new Harness(images);

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EquivalentTo(images.Select(i => ImageOutcome.Succeeded(i, SizeOf(i.ImageId)))));
        foreach (var image in images)
        {
            harness.Gpu.Verify(g => g.RunAsync(SizeOf(image.ImageId), It.IsAny<CancellationToken>()), Times.Once);
        }
    }

    [Test]
    public async Task RunAsync_WhenDownloadFailsWithImageFailure_RecordsFailureWithItsMessageAndSkipsTheGpu()
    {
        var images = Batch(3);
        using var harness = new Harness(images);
        harness.FailDownload(images[1], new ImageFailureException("HTTP 404"));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EquivalentTo(new[]
        {
            ImageOutcome.Succeeded(images[0], SizeOf(images[0].ImageId)),
            ImageOutcome.Failed(images[1], "HTTP 404"),
            ImageOutcome.Succeeded(images[2], SizeOf(images[2].ImageId)),
        }));
        harness.Gpu.Verify(g => g.RunAsync(It.IsAny<ImageSize>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Test]
    public async Task RunAsync_WhenBodyIsNotAnImage_RecordsFailureWithItsMessage()
    {
        var images = Batch(2);
        using var harness = new Harness(images);
        harness.FailDownload(images[0], new ImageFailureException("not a decodable image"));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EquivalentTo(new[]
        {
            ImageOutcome.Failed(images[0], "not a decodable image"),
            ImageOutcome.Succeeded(images[1], SizeOf(images[1].ImageId)),
        }));
    }

    [Test]
    public async Task RunAsync_WhenDownloaderThrowsUnexpectedly_RecordsUnexpectedError()
    {
        var images = Batch(2);
        using var harness = new Harness(images);
        harness.FailDownload(images[0], new InvalidOperationException("socket exploded"));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EquivalentTo(new[]
        {
            ImageOutcome.Failed(images[0], "unexpected error: socket exploded"),
            ImageOutcome.Succeeded(images[1], SizeOf(images[1].ImageId)),
        }));
    }

    [Test]
    public async Task RunAsync_WhenDownloadTimesOutWithoutShutdown_RecordsUnexpectedError()
    {
        // An HttpClient timeout surfaces as a TaskCanceledException although nobody stopped the engine.
        var images = Batch(1);
        using var harness = new Harness(images);
        harness.FailDownload(images[0], new TaskCanceledException("timed out"));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EqualTo(new[] { ImageOutcome.Failed(images[0], "unexpected error: timed out") }));
    }

    [Test]
    public async Task RunAsync_WhenGpuStepThrowsUnexpectedly_RecordsAFailureForThatImage()
    {
        // Like an unexpected download error, it must settle the image: otherwise the heartbeat renews
        // its lease for as long as the node lives and the job stays ongoing.
        var images = Batch(2);
        using var harness = new Harness(images);
        harness.Gpu
            .Setup(g => g.RunAsync(SizeOf(images[0].ImageId), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("device lost"));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, $"the image whose GPU step threw never settled; recorded: {string.Join(", ", harness.Outcomes)}");
        Assert.That(harness.Outcomes, Is.EquivalentTo(new[]
        {
            ImageOutcome.Failed(images[0], "unexpected error: device lost"),
            ImageOutcome.Succeeded(images[1], SizeOf(images[1].ImageId)),
        }));
    }

    [Test]
    public async Task RunAsync_WhenDownloadSucceedsAfterRetries_RecordsSuccessWithItsAttemptsAndLastError()
    {
        var images = Batch(2);
        using var harness = new Harness(images);
        harness.DownloadAfterRetries(images[0], attempts: 3, lastError: "HTTP 503");

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        var retried = harness.Outcomes.Single(o => o.ImageId == images[0].ImageId);
        Assert.That(retried.IsSuccess, Is.True);
        Assert.That(retried.Size, Is.EqualTo(SizeOf(images[0].ImageId)));
        Assert.That(retried.Error, Is.Null);
        Assert.That(retried.Attempts, Is.EqualTo(3));
        Assert.That(retried.LastError, Is.EqualTo("HTTP 503"));
        Assert.That(harness.Outcomes.Single(o => o.ImageId == images[1].ImageId), Is.EqualTo(ImageOutcome.Succeeded(images[1], SizeOf(images[1].ImageId))));
    }

    [Test]
    public async Task RunAsync_WhenDownloadSucceedsAtOnce_RecordsOneAttemptAndNoLastError()
    {
        var images = Batch(1);
        using var harness = new Harness(images);

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        var outcome = harness.Outcomes.Single();
        Assert.That((outcome.Attempts, outcome.LastError), Is.EqualTo((1, (string?)null)));
    }

    [Test]
    public async Task RunAsync_WhenDownloadFailsAfterSeveralAttempts_RecordsFailureWithTheExceptionsAttempts()
    {
        var images = Batch(1);
        using var harness = new Harness(images);
        harness.FailDownload(images[0], new ImageFailureException("HTTP 503", attempts: 2));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        var outcome = harness.Outcomes.Single();
        Assert.That(outcome, Is.EqualTo(ImageOutcome.Failed(images[0], "HTTP 503", attempts: 2)));
        Assert.That(outcome.IsSuccess, Is.False);
        Assert.That(outcome.Attempts, Is.EqualTo(2));
        Assert.That(outcome.LastError, Is.EqualTo("HTTP 503"));
        harness.Gpu.Verify(g => g.RunAsync(It.IsAny<ImageSize>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task RunAsync_WhenBodyIsUndecodableAfterRetries_RecordsFailureWithTheDownloadsAttempts()
    {
        // The body arrived on the second attempt and was no image: the attempts it took count.
        var images = Batch(1);
        using var harness = new Harness(images);
        harness.FailDownload(images[0], new ImageFailureException("not a decodable image", attempts: 2));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EqualTo(new[] { ImageOutcome.Failed(images[0], "not a decodable image", attempts: 2) }));
    }

    [Test]
    public async Task RunAsync_WhenGpuStepFailsAfterARetriedDownload_RecordsFailureWithTheDownloadsAttempts()
    {
        var images = Batch(1);
        using var harness = new Harness(images);
        harness.DownloadAfterRetries(images[0], attempts: 3, lastError: "HTTP 503");
        harness.Gpu
            .Setup(g => g.RunAsync(SizeOf(images[0].ImageId), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("device lost"));

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EqualTo(new[] { ImageOutcome.Failed(images[0], "unexpected error: device lost", attempts: 3) }));
    }

    [Test]
    public async Task RunAsync_WhenManyImages_NeverRunsMoreThanMaxConcurrencyGpuSteps()
    {
        var images = Batch(12, visits: 3);
        using var harness = new Harness(images);
        var gauge = new ConcurrencyGauge();
        harness.Gpu
            .Setup(g => g.RunAsync(It.IsAny<ImageSize>(), It.IsAny<CancellationToken>()))
            .Returns(async (ImageSize _, CancellationToken ct) =>
            {
                gauge.Enter();
                try
                {
                    await Task.Delay(30, ct);
                }
                finally
                {
                    gauge.Exit();
                }
            });

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes.Select(o => o.ImageId), Is.EquivalentTo(images.Select(i => i.ImageId)));
        Assert.That(gauge.Max, Is.EqualTo(MaxConcurrency), "GPU steps running at once");
    }

    [Test]
    public async Task RunAsync_WhenDownloadsAreSlow_NeverRunsMoreThanDownloadConcurrencyDownloads()
    {
        var images = Batch(8, visits: 4);
        using var harness = new Harness(images);
        var gauge = new ConcurrencyGauge();
        harness.Downloader
            .Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .Returns(async (Uri url, CancellationToken ct) =>
            {
                gauge.Enter();
                try
                {
                    await Task.Delay(30, ct);
                    return Harness.Download(images.Single(i => i.Url == url.OriginalString).ImageId);
                }
                finally
                {
                    gauge.Exit();
                }
            });

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes.Select(o => o.ImageId), Is.EquivalentTo(images.Select(i => i.ImageId)));
        Assert.That(gauge.Max, Is.EqualTo(DownloadConcurrency), "downloads running at once");
    }

    [Test]
    public async Task RunAsync_WhenStartedAndStopped_ReleasesItsOwnLeasesOnceAfterTheLastOutcomeAsAGracefulStop()
    {
        var images = Batch(1);
        using var harness = new Harness(images);

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        harness.Queue.Verify(q => q.ReleaseLeasesAsync(It.IsAny<string>(), It.IsAny<LeaseRelease>(), It.IsAny<CancellationToken>()), Times.Once);
        harness.Queue.Verify(q => q.ReleaseLeasesAsync(Owner, LeaseRelease.GracefulStop, It.IsAny<CancellationToken>()), Times.Once);
        Assert.That(harness.Calls.Where(c => c != "claim"), Is.EqualTo(new[] { "record", "release" }), "an earlier run's leases are the registration's to release, not the engine's");
    }

    [Test]
    public async Task RunAsync_WhenAnImageWasClaimedMoreThanMaxClaimsTimesWithoutAnOutcome_FailsItWithoutDownloadingIt()
    {
        var options = new ProcessingOptions();
        var lastChance = Claimed(1) with { Claims = options.MaxClaims };
        var poison = Claimed(2) with { Claims = options.MaxClaims + 1 };
        using var harness = new Harness([lastChance, poison]);

        var recorded = await harness.RunUntilRecordedAsync(2);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(harness.Outcomes, Is.EquivalentTo(new[]
        {
            ImageOutcome.Succeeded(lastChance, SizeOf(lastChance.ImageId)),
            ImageOutcome.Failed(poison, "abandoned after 10 claims without an outcome: each node that claimed it stopped before finishing it (Processing:MaxClaims)", attempts: 0, ImageFailureReason.Abandoned),
        }));
        harness.Downloader.Verify(d => d.DownloadAsync(new Uri(poison.Url), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task RunAsync_WhenClaiming_ClaimsForThisNodeAndNeverMoreThanItsCapacity()
    {
        var images = Batch(10);
        using var harness = new Harness(images);

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        harness.Queue.Verify(q => q.ClaimAsync(It.Is<string>(o => o != Owner), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Never);
        harness.Queue.Verify(q => q.ClaimAsync(Owner, It.Is<int>(max => max < 1 || max > MaxConcurrency + DownloadConcurrency), It.IsAny<CancellationToken>()), Times.Never);
        harness.Queue.Verify(q => q.RecordOutcomesAsync(It.Is<string>(o => o != Owner), It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task RunAsync_WhenStoppedWhileAnImageIsInTheGpuStep_LetsItFinishAndRecordsIt()
    {
        var images = Batch(1);
        using var harness = new Harness(images);
        var gpuStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Gpu
            .Setup(g => g.RunAsync(It.IsAny<ImageSize>(), It.IsAny<CancellationToken>()))
            .Returns(async (ImageSize _, CancellationToken ct) =>
            {
                gpuStarted.TrySetResult();
                await Task.Delay(200, ct);
            });

        var stopped = await harness.RunAndStopWhenAsync(gpuStarted.Task);

        Assert.That(stopped, Is.True, "the engine did not stop in time");
        Assert.That(harness.Outcomes, Is.EqualTo(new[] { ImageOutcome.Succeeded(images[0], SizeOf(images[0].ImageId)) }));
        Assert.That(harness.Calls[^1], Is.EqualTo("release"));
    }

    [Test]
    public async Task RunAsync_WhenAnImageOutlastsTheGracePeriod_CancelsItWithoutAnOutcomeAndReleasesLeases()
    {
        var images = Batch(1);
        using var harness = new Harness(images);
        var gpuStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Gpu
            .Setup(g => g.RunAsync(It.IsAny<ImageSize>(), It.IsAny<CancellationToken>()))
            .Returns(async (ImageSize _, CancellationToken ct) =>
            {
                gpuStarted.TrySetResult();
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            });

        var stopped = await harness.RunAndStopWhenAsync(gpuStarted.Task);

        Assert.That(stopped, Is.True, "the engine did not stop in time");
        Assert.That(harness.Outcomes, Is.Empty);
        Assert.That(harness.Calls.Where(c => c != "claim"), Is.EqualTo(new[] { "release" }));
    }

    [Test]
    public async Task RunAsync_WhenAJobIsCancelledWhileItsImageIsInTheGpuStep_InterruptsItWithoutAnOutcome()
    {
        var cancelled = Claimed(1, jobId: 10);
        var other = Claimed(2, jobId: 20);
        using var harness = new Harness([cancelled, other]);
        var interrupted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Gpu
            .Setup(g => g.RunAsync(SizeOf(cancelled.ImageId), It.IsAny<CancellationToken>()))
            .Returns(async (ImageSize _, CancellationToken ct) =>
            {
                harness.Jobs.JobCancelled(cancelled.JobId);
                try
                {
                    await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    interrupted.TrySetResult(!harness.StopRequested);
                    throw;
                }
            });

        var recorded = await harness.RunUntilRecordedAsync(1);

        Assert.That(recorded, Is.True, "the other job's image was not recorded in time");
        Assert.That(await interrupted.Task, Is.True, "the GPU step ended with the shutdown, not with the cancel");
        Assert.That(harness.Outcomes, Is.EqualTo(new[] { ImageOutcome.Succeeded(other, SizeOf(other.ImageId)) }));
    }

    [Test]
    public async Task RunAsync_WhenABatchSpansVisits_StartsEachVisitsImagesInTheOrderTheyWereClaimed()
    {
        // The batch fans out over its visits; within a visit, the images queue for the slots in claim order.
        var images = Batch(MaxConcurrency + DownloadConcurrency, visits: 2);
        using var harness = new Harness(images);
        var started = new ConcurrentQueue<long>();
        harness.Downloader
            .Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Uri url, CancellationToken _) =>
            {
                var image = images.Single(i => i.Url == url.OriginalString);
                started.Enqueue(image.ImageId);
                return Harness.Download(image.ImageId);
            });

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        foreach (var visit in images.GroupBy(i => i.VisitId))
        {
            var ofVisit = visit.Select(i => i.ImageId).ToHashSet();
            Assert.That(started.Where(ofVisit.Contains), Is.EqualTo(visit.Select(i => i.ImageId)), $"visit {visit.Key}");
        }
    }

    [Test]
    public async Task RunAsync_WhenABatchIsOneVisit_FillsEveryDownloadSlot()
    {
        var images = Batch(MaxConcurrency + DownloadConcurrency, visits: 1);
        using var harness = new Harness(images);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slotsFilled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var downloading = 0;
        harness.Downloader
            .Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
            .Returns(async (Uri url, CancellationToken ct) =>
            {
                if (Interlocked.Increment(ref downloading) == DownloadConcurrency)
                {
                    slotsFilled.TrySetResult();
                }

                await gate.Task.WaitAsync(ct);
                return Harness.Download(images.Single(i => i.Url == url.OriginalString).ImageId);
            });
        _ = slotsFilled.Task.ContinueWith(_ => gate.TrySetResult(), TaskScheduler.Default);

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(slotsFilled.Task.IsCompletedSuccessfully, Is.True, "one visit did not get every download slot");
        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
    }

    [Test]
    public async Task RunAsync_WhenStarted_MarksTheWorkerAliveAtTheClocksTime()
    {
        var images = Batch(1);
        using var harness = new Harness(images);
        var before = harness.Engine.LastHeartbeatAt;

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "not every outcome was recorded in time");
        Assert.That(before, Is.Null);
        Assert.That(harness.Engine.LastHeartbeatAt, Is.EqualTo(Now));
        Assert.That(harness.Engine.InFlight, Is.Zero);
    }

    [Test]
    public async Task RunAsync_WhenImagesFinish_ClaimsAgainOnceAClaimIsWorthMakingWithoutWaitingForThePoll()
    {
        // 16 images of capacity, so a claim is worth making once 2 are free. The idle poll is
        // too long for the test: only the images finishing can wake the claim loop.
        var images = Batch(40, visits: 5);
        using var harness = new Harness(images, options =>
        {
            options.MaxConcurrency = 8;
            options.DownloadConcurrency = 8;
            options.IdlePollMilliseconds = 600_000;
        });

        var recorded = await harness.RunUntilRecordedAsync(images.Count);

        Assert.That(recorded, Is.True, "the claim loop was not woken as images finished");
        harness.Queue.Verify(q => q.ClaimAsync(Owner, It.Is<int>(max => max < 2), It.IsAny<CancellationToken>()), Times.Never);
    }

    /// <summary>Counts calls in progress and remembers the most seen at once.</summary>
    private sealed class ConcurrencyGauge
    {
        private int _current;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public void Enter()
        {
            var now = Interlocked.Increment(ref _current);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }
        }

        public void Exit() => Interlocked.Decrement(ref _current);
    }

    /// <summary>
    /// An engine over mocked ports. The queue hands out its images (at most the number asked for)
    /// and then nothing, and records every outcome it is given.
    /// </summary>
    private sealed class Harness : IDisposable
    {
        private readonly ConcurrentQueue<ClaimedImage> _pending;
        private readonly ConcurrentQueue<string> _calls = new();
        private readonly List<ImageOutcome> _outcomes = [];
        private readonly Lock _gate = new();
        private readonly WorkSignal _workSignal = new();
        private readonly Lazy<ProcessingEngine> _engine;
        private TaskCompletionSource _allRecorded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected = int.MaxValue;

        public Harness(IEnumerable<ClaimedImage> images, Action<ProcessingOptions>? configure = null)
        {
            var options = new ProcessingOptions
            {
                MaxConcurrency = MaxConcurrency,
                DownloadConcurrency = DownloadConcurrency,
                OutcomeFlushMilliseconds = 0,
                ShutdownGraceSeconds = 1,
                LeaseSeconds = 3,
                IdlePollMilliseconds = 20,
            };
            configure?.Invoke(options);
            _pending = new ConcurrentQueue<ClaimedImage>(images);
            _engine = new Lazy<ProcessingEngine>(() => new ProcessingEngine(
                Queue.Object,
                Downloader.Object,
                Gpu.Object,
                _workSignal,
                Jobs,
                options,
                Node,
                TestTelemetry.Instruments,
                new FakeTimeProvider(Now),
                NullLoggerFactory.Instance));

            Queue.Setup(q => q.ReleaseLeasesAsync(It.IsAny<string>(), It.IsAny<LeaseRelease>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync(() =>
                {
                    _calls.Enqueue("release");
                    return 0;
                });
            Queue.Setup(q => q.ClaimAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync((string _, int max, CancellationToken _) =>
                {
                    _calls.Enqueue("claim");
                    var claimed = new List<ClaimedImage>();
                    while (claimed.Count < max && _pending.TryDequeue(out var image))
                    {
                        claimed.Add(image);
                    }

                    return claimed;
                });
            Queue.Setup(q => q.RecordOutcomesAsync(It.IsAny<string>(), It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()))
                .Returns((string _, IReadOnlyList<ImageOutcome> outcomes, CancellationToken _) =>
                {
                    _calls.Enqueue("record");
                    lock (_gate)
                    {
                        // The engine reuses its batch list after the call returns: copy it. The
                        // timings vary from run to run; the stages' tests check them.
                        _outcomes.AddRange(outcomes.Select(o => o with { Bytes = null, DownloadMs = null, GpuMs = null }));
                        if (_outcomes.Count >= _expected)
                        {
                            _allRecorded.TrySetResult();
                        }
                    }

                    return Task.CompletedTask;
                });
            Queue.Setup(q => q.RenewLeasesAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(0);
            Queue.Setup(q => q.ReclaimExpiredLeasesAsync(It.IsAny<CancellationToken>())).ReturnsAsync(0);
            Queue.Setup(q => q.FindCancelledAsync(It.IsAny<IReadOnlyCollection<long>>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);

            Downloader.Setup(d => d.DownloadAsync(It.IsAny<Uri>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync((Uri url, CancellationToken _) => Download(ImageIdOf(url)));
            Gpu.Setup(g => g.RunAsync(It.IsAny<ImageSize>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        }

        public Mock<IWorkQueue> Queue { get; } = new(MockBehavior.Strict);

        public Mock<IImageDownloader> Downloader { get; } = new(MockBehavior.Strict);

        public Mock<IGpuStep> Gpu { get; } = new(MockBehavior.Strict);

        /// <summary>The registry a cancel through this node's API reaches.</summary>
        public JobsInFlight Jobs { get; } = new();

        /// <summary>Built on first use, so that a test can set up the mocks first.</summary>
        public ProcessingEngine Engine => _engine.Value;

        /// <summary>True once the engine has been told to stop.</summary>
        public bool StopRequested { get; private set; }

        public IReadOnlyList<ImageOutcome> Outcomes
        {
            get
            {
                lock (_gate)
                {
                    return _outcomes.ToList();
                }
            }
        }

        /// <summary>The queue calls in order: release, claim, record.</summary>
        public List<string> Calls => _calls.ToList();

        /// <summary>The download of image <paramref name="imageId"/>: measured as <see cref="SizeOf"/>.</summary>
        public static DownloadedImage Download(long imageId, int attempts = 1, string? lastError = null) =>
            new(SizeOf(imageId), Bytes: 1_000 + imageId, attempts, lastError);

        /// <summary>Makes the download of <paramref name="image"/> report <paramref name="attempts"/> HTTP attempts and <paramref name="lastError"/>.</summary>
        public void DownloadAfterRetries(ClaimedImage image, int attempts, string? lastError) =>
            Downloader.Setup(d => d.DownloadAsync(new Uri(image.Url), It.IsAny<CancellationToken>()))
                .ReturnsAsync(Download(image.ImageId, attempts, lastError));

        public void FailDownload(ClaimedImage image, Exception exception) =>
            Downloader.Setup(d => d.DownloadAsync(new Uri(image.Url), It.IsAny<CancellationToken>())).ThrowsAsync(exception);

        /// <summary>Runs the engine until <paramref name="expected"/> outcomes were recorded (or the timeout), then stops it.</summary>
        public async Task<bool> RunUntilRecordedAsync(int expected)
        {
            Task recorded;
            lock (_gate)
            {
                _expected = expected;
                _allRecorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                recorded = _allRecorded.Task;
            }

            var stopped = await RunAndStopWhenAsync(recorded);
            Assert.That(stopped, Is.True, "the engine did not stop in time");
            return recorded.IsCompletedSuccessfully;
        }

        /// <summary>Runs the engine until <paramref name="condition"/> completes (or the timeout), then stops it; returns whether it stopped in time.</summary>
        public async Task<bool> RunAndStopWhenAsync(Task condition)
        {
            using var stopping = new CancellationTokenSource();

            var run = Engine.RunAsync(stopping.Token);
            await Task.WhenAny(condition, Task.Delay(Timeout));
            StopRequested = true;
            await stopping.CancelAsync();
            var finished = await Task.WhenAny(run, Task.Delay(Timeout));
            if (finished != run)
            {
                return false;
            }

            await run;
            return true;
        }

        public void Dispose()
        {
            if (_engine.IsValueCreated)
            {
                _engine.Value.Dispose();
            }

            _workSignal.Dispose();
        }

        private static long ImageIdOf(Uri url) => long.Parse(Path.GetFileNameWithoutExtension(url.AbsolutePath), System.Globalization.CultureInfo.InvariantCulture);
    }
}
