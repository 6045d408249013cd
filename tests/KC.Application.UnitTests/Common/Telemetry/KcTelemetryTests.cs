using KC.Application.Common.Interfaces;
using KC.Application.Common.Telemetry;
using KC.Application.Monitoring.GetQueueStatistics;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.TestSupport;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KC.Application.UnitTests.Common.Telemetry;

/// <summary>KC's instruments read by the OpenTelemetry SDK itself, through its in-memory exporter.</summary>
[TestFixture]
[NonParallelizable]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class KcTelemetryTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly FakeReadings _readings = new();
    private readonly List<MetricSnapshot> _exported = [];
    private readonly MeterProvider _provider;
    private readonly KcTelemetry _telemetry;

    public KcTelemetryTests()
    {
        _provider = Sdk.CreateMeterProviderBuilder().AddMeter(KcTelemetry.Name).AddInMemoryExporter(_exported).Build();
        _telemetry = new KcTelemetry(_meters, _readings);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _meters.Dispose();
    }

    [Test]
    public void ImagesSettled_WhenCounted_LabelsEachCountByOutcomeAndReasonOnly()
    {
        _telemetry.ImagesSettled(ImageState.Succeeded, ImageFailureReason.None, 3);
        _telemetry.ImagesSettled(ImageState.Failed, ImageFailureReason.Http4xx);
        _telemetry.ImagesSettled(ImageState.Failed, ImageFailureReason.UnknownStore);
        _telemetry.ImagesSettled(ImageState.Cancelled, ImageFailureReason.None, 0);

        var points = Sums("kc.images.processed");

        Assert.That(points, Is.EquivalentTo(new Dictionary<string, long>
        {
            ["outcome=succeeded,reason=none"] = 3,
            ["outcome=failed,reason=http_4xx"] = 1,
            ["outcome=failed,reason=unknown_store"] = 1,
        }));
    }

    [Test]
    public void JobSettled_WhenRecorded_CountsByStatusAndTimesTheJobInSeconds()
    {
        _telemetry.JobSubmitted();
        _telemetry.JobSubmitted();
        _telemetry.JobSettled(JobStatus.Completed, TimeSpan.FromSeconds(42));
        _telemetry.JobSettled(JobStatus.Failed, TimeSpan.FromMinutes(3));

        var duration = Points("kc.job.duration").ToDictionary(p => Labels(p), p => p.GetHistogramSum());

        Assert.That(Sums("kc.jobs.submitted"), Is.EqualTo(new Dictionary<string, long> { [string.Empty] = 2 }));
        Assert.That(Sums("kc.jobs.finished"), Is.EquivalentTo(new Dictionary<string, long> { ["status=completed"] = 1, ["status=failed"] = 1 }));
        Assert.That(duration, Is.EquivalentTo(new Dictionary<string, double> { ["status=completed"] = 42, ["status=failed"] = 180 }));
        Assert.That(Unit("kc.job.duration"), Is.EqualTo("s"));
    }

    [Test]
    public void GpuStepFinished_WhenRecorded_FallsInBucketsThatResolveTheTenthsOfASecondOfTheGpuTime()
    {
        _telemetry.GpuStepFinished(TimeSpan.FromMilliseconds(120));
        _telemetry.GpuStepFinished(TimeSpan.FromMilliseconds(270));
        _telemetry.GpuStepFinished(TimeSpan.FromMilliseconds(380));

        var buckets = Buckets("kc.image.gpu.duration");

        Assert.That(buckets.Keys, Is.SupersetOf(new[] { 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4 }));
        Assert.That(buckets.Where(b => b.Value > 0), Is.EquivalentTo(new Dictionary<double, long> { [0.15] = 1, [0.3] = 1, [0.4] = 1 }));
    }

    [Test]
    public void DownloadFinished_WhenRecorded_TimesTheDownloadAndAddsItsBytes()
    {
        _telemetry.DownloadFinished(TimeSpan.FromMilliseconds(40), 48_213);
        _telemetry.DownloadFinished(TimeSpan.FromMilliseconds(230), 1_000);

        var buckets = Buckets("kc.image.download.duration");

        Assert.That(Sums("kc.image.download.bytes"), Is.EqualTo(new Dictionary<string, long> { [string.Empty] = 49_213 }));
        Assert.That(Unit("kc.image.download.bytes"), Is.EqualTo("By"));
        Assert.That(buckets.Where(b => b.Value > 0), Is.EquivalentTo(new Dictionary<double, long> { [0.05] = 1, [0.25] = 1 }));
    }

    [Test]
    public void LeasesAndCallbacks_WhenCounted_CountTakeoversAndEachCallbackResult()
    {
        _telemetry.LeasesTakenOver(4);
        _telemetry.LeasesTakenOver(0);
        _telemetry.CallbackAttempted(CallbackStatus.Pending);
        _telemetry.CallbackAttempted(CallbackStatus.Delivered);
        _telemetry.CallbackAttempted(CallbackStatus.Delivered);
        _telemetry.CallbackAttempted(CallbackStatus.Failed);

        Assert.That(Sums("kc.leases.taken_over"), Is.EqualTo(new Dictionary<string, long> { [string.Empty] = 4 }));
        Assert.That(Sums("kc.callbacks"), Is.EquivalentTo(new Dictionary<string, long> { ["result=retrying"] = 1, ["result=delivered"] = 2, ["result=failed"] = 1 }));
    }

    [Test]
    public void Gauges_WhenCollected_ShowTheQueueThisNodesSlotsAndTheNodes()
    {
        _readings.Statistics = new QueueStatistics(120, 7, TimeSpan.FromSeconds(90), new SlotUsage(5, 64), new SlotUsage(9, 128), DateTimeOffset.UnixEpoch);
        _readings.NodeCounts = [("alive", 2), ("stopped", 1), ("lost", 0)];

        Assert.Multiple(() =>
        {
            Assert.That(Gauges("kc.queue.images"), Is.EquivalentTo(new Dictionary<string, double> { ["state=pending"] = 120, ["state=processing"] = 7 }));
            Assert.That(Gauges("kc.queue.oldest_pending_age"), Is.EqualTo(new Dictionary<string, double> { [string.Empty] = 90 }));
            Assert.That(Gauges("kc.gpu.slots.busy"), Is.EqualTo(new Dictionary<string, double> { [string.Empty] = 5 }));
            Assert.That(Gauges("kc.download.slots.busy"), Is.EqualTo(new Dictionary<string, double> { [string.Empty] = 9 }));
            Assert.That(Gauges("kc.nodes"), Is.EquivalentTo(new Dictionary<string, double> { ["state=alive"] = 2, ["state=stopped"] = 1, ["state=lost"] = 0 }));
        });
    }

    [Test]
    public void Gauges_WhenNothingCanBeRead_ReportNothingRatherThanZero()
    {
        _readings.Statistics = null;
        _readings.NodeCounts = null;

        Assert.That(Points("kc.queue.images"), Is.Empty);
        Assert.That(Points("kc.nodes"), Is.Empty);
    }

    [Test]
    public void ReasonLabel_ForEveryFailureReason_IsADistinctWordOfTheFixedSet()
    {
        var labels = Enum.GetValues<ImageFailureReason>().Select(KcTelemetry.ReasonLabel).ToList();

        Assert.That(labels, Is.Unique);
        Assert.That(labels, Is.SubsetOf(new[] { "none", "http_4xx", "http_5xx", "timeout", "connection", "not_an_image", "too_large", "refused_address", "unknown_store", "abandoned", "other" }));
    }

    private List<MetricPoint> Points(string name)
    {
        _exported.Clear();
        _provider.ForceFlush();
        return _exported.Where(m => m.Name == name).SelectMany(m => m.MetricPoints).ToList();
    }

    private string? Unit(string name)
    {
        _exported.Clear();
        _provider.ForceFlush();
        return _exported.Single(m => m.Name == name).Unit;
    }

    private Dictionary<string, long> Sums(string name) => Points(name).ToDictionary(Labels, p => p.GetSumLong());

    private Dictionary<string, double> Gauges(string name)
    {
        var points = Points(name);
        var isDouble = _exported.Single(m => m.Name == name).MetricType == MetricType.DoubleGauge;
        return points.ToDictionary(Labels, p => isDouble ? p.GetGaugeLastValueDouble() : p.GetGaugeLastValueLong());
    }

    private Dictionary<double, long> Buckets(string name)
    {
        var point = Points(name).Single();
        var buckets = new Dictionary<double, long>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            buckets[bucket.ExplicitBound] = bucket.BucketCount;
        }

        return buckets;
    }

    private static string Labels(MetricPoint point)
    {
        var labels = new List<string>();
        foreach (var tag in point.Tags)
        {
            labels.Add($"{tag.Key}={tag.Value}");
        }

        return string.Join(',', labels.Order(StringComparer.Ordinal));
    }

    private sealed class FakeReadings : IMonitoringReadings
    {
        public QueueStatistics? Statistics { get; set; }

        public IReadOnlyList<(string State, int Count)>? NodeCounts { get; set; }

        public QueueStatistics? Queue() => Statistics;

        public IReadOnlyList<(string State, int Count)>? Nodes() => NodeCounts;
    }
}
