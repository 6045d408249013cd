using System.Diagnostics;
using System.Diagnostics.Metrics;
using KC.Application.Common.Interfaces;
using KC.Application.Monitoring.GetQueueStatistics;
using KC.Application.Processing;
using KC.Domain.Jobs;

namespace KC.Application.Common.Telemetry;

/// <summary>
/// Every instrument KC measures itself with, in this one place: the meter <c>KC</c> and the
/// activity source <c>KC</c>, from <c>System.Diagnostics</c> only. What reads them (Prometheus at
/// <c>/metrics</c>, OTLP) is the host's choice. Names are OpenTelemetry's dotted ones; Prometheus
/// shows them with underscores and its suffixes (<c>kc.jobs.submitted</c> is
/// <c>kc_jobs_submitted_total</c>, <c>kc.job.duration</c> in seconds is <c>kc_job_duration_seconds</c>).
/// No job id, store id or URL is ever a label: labels are the small fixed sets below.
/// </summary>
public sealed class KcTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "KC";

    /// <summary>Span names, one per step of an image.</summary>
    public const string ImageSpan = "kc.image";
    public const string DownloadSpan = "kc.image.download";
    public const string MeasureSpan = "kc.image.measure";
    public const string GpuSpan = "kc.image.gpu";
    public const string OutcomeWriteSpan = "kc.image.outcome_write";

    /// <summary>
    /// KC's spans. Without a listener (no tracing configured) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
    /// returns null and nothing is spent on them.
    /// </summary>
    public static readonly ActivitySource Traces = new(Name);

    // Seconds: the GPU step is 0.1–0.4 s and a download over a LAN a few ms to a few s.
    private static readonly double[] StepBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30];

    // Seconds: a job takes from under a second to an hour or more.
    private static readonly double[] JobBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];

    private readonly Counter<long> _jobsSubmitted;
    private readonly Counter<long> _jobsFinished;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _imagesProcessed;
    private readonly Histogram<double> _downloadDuration;
    private readonly Counter<long> _downloadBytes;
    private readonly Histogram<double> _gpuDuration;
    private readonly Counter<long> _leasesTakenOver;
    private readonly Counter<long> _callbacks;

    /// <param name="meters">The host's meter factory: the meter lives and dies with the host's services.</param>
    /// <param name="readings">What the gauges read when they are collected.</param>
    public KcTelemetry(IMeterFactory meters, IMonitoringReadings readings)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(readings);
        var meter = meters.Create(Name);

        _jobsSubmitted = meter.CreateCounter<long>("kc.jobs.submitted", "{job}", "Jobs stored by a submit (a replayed Idempotency-Key is not counted).");
        _jobsFinished = meter.CreateCounter<long>("kc.jobs.finished", "{job}", "Jobs settled, by final status.");
        _jobDuration = meter.CreateHistogram("kc.job.duration", "s", "Time from a job's submit to its settling.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = JobBuckets });
        _imagesProcessed = meter.CreateCounter<long>("kc.images.processed", "{image}", "Images settled, by outcome and failure reason.");
        _downloadDuration = meter.CreateHistogram("kc.image.download.duration", "s", "Time of each successful download, retries and the whole body included.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBuckets });
        _downloadBytes = meter.CreateCounter<long>("kc.image.download.bytes", "By", "Bytes of the image bodies downloaded whole.");
        _gpuDuration = meter.CreateHistogram("kc.image.gpu.duration", "s", "Time of each GPU step.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBuckets });
        _leasesTakenOver = meter.CreateCounter<long>("kc.leases.taken_over", "{image}", "Images whose lease had lapsed (a node died or stalled) returned to the queue by this node.");
        _callbacks = meter.CreateCounter<long>("kc.callbacks", "{attempt}", "Completion callback POSTs recorded, by what came of them.");

        meter.CreateObservableGauge("kc.queue.images", () => QueueImages(readings), "{image}", "Images waiting (pending) and leased to a node (processing), over every node; counted at most every few seconds.");
        meter.CreateObservableGauge("kc.queue.oldest_pending_age", () => OldestPendingAge(readings), "s", "Age of the oldest job that still has images waiting to be claimed; absent when none waits.");
        meter.CreateObservableGauge("kc.gpu.slots.busy", () => Slots(readings, s => s.GpuSlots), "{slot}", "GPU slots of this node in use.");
        meter.CreateObservableGauge("kc.download.slots.busy", () => Slots(readings, s => s.DownloadSlots), "{slot}", "Download slots of this node in use.");
        meter.CreateObservableGauge("kc.nodes", () => Nodes(readings), "{node}", "Nodes that have run against the database, by state.");
    }

    public void JobSubmitted() => _jobsSubmitted.Add(1);

    public void JobSettled(JobStatus status, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("status", StatusWords.Of(status));
        _jobsFinished.Add(1, tag);
        _jobDuration.Record(Math.Max(0, duration.TotalSeconds), tag);
    }

    /// <summary>Counts <paramref name="count"/> images settled as <paramref name="state"/> for <paramref name="reason"/>.</summary>
    public void ImagesSettled(ImageState state, ImageFailureReason reason, int count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        _imagesProcessed.Add(
            count,
            new KeyValuePair<string, object?>("outcome", StatusWords.Of(state)),
            new KeyValuePair<string, object?>("reason", ReasonLabel(reason)));
    }

    public void DownloadFinished(TimeSpan duration, long bytes)
    {
        _downloadDuration.Record(duration.TotalSeconds);
        _downloadBytes.Add(bytes);
    }

    public void GpuStepFinished(TimeSpan duration) => _gpuDuration.Record(duration.TotalSeconds);

    public void LeasesTakenOver(int count)
    {
        if (count > 0)
        {
            _leasesTakenOver.Add(count);
        }
    }

    /// <summary>One callback POST recorded: <c>delivered</c>, <c>retrying</c> (another attempt is due) or <c>failed</c> (given up).</summary>
    public void CallbackAttempted(CallbackStatus outcome) =>
        _callbacks.Add(1, new KeyValuePair<string, object?>("result", outcome switch
        {
            CallbackStatus.Delivered => "delivered",
            CallbackStatus.Failed => "failed",
            _ => "retrying",
        }));

    /// <summary>
    /// Starts the span of one image on this node, a child of its job's submit when the claim carried
    /// the submit's trace context (so the image joins the submit's trace, whichever node runs it).
    /// Null, at the cost of one check, when nobody listens.
    /// </summary>
    public static Activity? StartImageSpan(ClaimedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Traces.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(image.TraceParent, null, isRemote: true, out var submit);
        return Traces.StartActivity(ImageSpan, ActivityKind.Internal, submit)
            ?.SetTag("kc.job_id", image.JobId)
            .SetTag("kc.image_id", image.ImageId)
            .SetTag("kc.image.claims", image.Claims);
    }

    /// <summary>Ends an image's span with what became of the image.</summary>
    public static void EndImageSpan(Activity? span, ImageOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (span is null)
        {
            return;
        }

        span.SetTag("kc.image.outcome", outcome.IsSuccess ? "succeeded" : "failed")
            .SetTag("kc.image.reason", ReasonLabel(outcome.Reason))
            .SetTag("kc.image.attempts", outcome.Attempts)
            .SetTag("kc.image.bytes", outcome.Bytes);
        if (!outcome.IsSuccess)
        {
            span.SetStatus(ActivityStatusCode.Error, outcome.Error);
        }

        span.Stop();
    }

    /// <summary>Ends an image's span that records no outcome here: <c>cancelled</c> (its job was) or <c>released</c> (the node stopped).</summary>
    public static void EndImageSpan(Activity? span, string outcome)
    {
        span?.SetTag("kc.image.outcome", outcome).Stop();
    }

    /// <summary>
    /// The W3C trace context to store with a job submitted now: that of the current span, when this
    /// node traces. A submit the sampler dropped stores its context too, marked not sampled, so its
    /// images are dropped with it and a job is traced whole or not at all. A node that does not
    /// trace stores none, and the job's images start traces of their own wherever they run.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current && (current.Recorded || Traces.HasListeners()) ? current.Id : null;

    /// <summary>The <c>reason</c> label of a failure reason.</summary>
    public static string ReasonLabel(ImageFailureReason reason) => reason switch
    {
        ImageFailureReason.None => "none",
        ImageFailureReason.Http4xx => "http_4xx",
        ImageFailureReason.Http5xx => "http_5xx",
        ImageFailureReason.Timeout => "timeout",
        ImageFailureReason.Connection => "connection",
        ImageFailureReason.NotAnImage => "not_an_image",
        ImageFailureReason.TooLarge => "too_large",
        ImageFailureReason.RefusedAddress => "refused_address",
        ImageFailureReason.UnknownStore => "unknown_store",
        ImageFailureReason.Abandoned => "abandoned",
        _ => "other",
    };

    private static IEnumerable<Measurement<long>> QueueImages(IMonitoringReadings readings) =>
        readings.Queue() is { } queue
            ?
            [
                new(queue.PendingImages, new KeyValuePair<string, object?>("state", "pending")),
                new(queue.ProcessingImages, new KeyValuePair<string, object?>("state", "processing")),
            ]
            : [];

    private static IEnumerable<Measurement<double>> OldestPendingAge(IMonitoringReadings readings) =>
        readings.Queue()?.OldestPendingAge is { } age ? [new(age.TotalSeconds)] : [];

    private static IEnumerable<Measurement<int>> Slots(IMonitoringReadings readings, Func<QueueStatistics, SlotUsage> slots) =>
        readings.Queue() is { } queue ? [new(slots(queue).Busy)] : [];

    private static IEnumerable<Measurement<int>> Nodes(IMonitoringReadings readings) =>
        readings.Nodes() is { } nodes
            ? nodes.Select(n => new Measurement<int>(n.Count, new KeyValuePair<string, object?>("state", n.State)))
            : [];
}
