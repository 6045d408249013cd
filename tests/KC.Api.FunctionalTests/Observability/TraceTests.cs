using System.Diagnostics;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Observability;

/// <summary>
/// A service exporting traces over OTLP to a local sink, with an in-memory exporter beside it to
/// read the spans back: a submit that arrives with a W3C <c>traceparent</c> has its images'
/// spans, processed later by the worker, in the client's trace, and a job the sampler dropped at
/// its submit has none.
/// </summary>
[NonParallelizable]
public sealed class TraceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task ImageSpans_WhenTheSubmitCarriedATraceparent_JoinTheSubmitsTraceWithASpanPerStep()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var sink = await OtlpSink.StartAsync();
        var spans = new LockedList<Activity>();
        var database = await TestDatabase.CreateAsync();
        await using var service = StartService(database, OtlpSettings(sink), spans);
        using var client = TraceParentClient(service);
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();

        var jobId = await SubmitAsync(client, images, $"00-{traceId}-{clientSpan}-01");
        await WaitUntilSettledAsync(client, jobId);
        await Eventually.HoldsAsync(() => ImageSpans(spans, jobId).Count == 2, Timeout);
        await Eventually.HoldsAsync(() => sink.Received("traces").Requests > 0, Timeout);

        var all = spans.Snapshot();
        var server = all.Single(s => s.Kind == ActivityKind.Server && s.TraceId == traceId && s.ParentSpanId == clientSpan);
        Assert.Multiple(() =>
        {
            foreach (var image in ImageSpans(spans, jobId))
            {
                var children = all.Where(s => s.ParentSpanId == image.SpanId).Select(s => s.OperationName).Order(StringComparer.Ordinal).ToList();
                var download = all.Single(s => s.ParentSpanId == image.SpanId && s.OperationName == "kc.image.download");

                Assert.That(image.TraceId, Is.EqualTo(traceId), "the image joins the submit's trace");
                Assert.That(image.ParentSpanId, Is.EqualTo(server.SpanId), "its parent is the submit's request");
                Assert.That(image.GetTagItem("kc.image.outcome"), Is.EqualTo("succeeded"));
                Assert.That(image.GetTagItem("kc.image.bytes"), Is.GreaterThan(0L));
                Assert.That(image.GetTagItem("kc.image.attempts"), Is.EqualTo(1));
                Assert.That(children, Is.EqualTo(new[] { "kc.image.download", "kc.image.gpu", "kc.image.outcome_write" }));
                Assert.That(all.Where(s => s.ParentSpanId == download.SpanId).Select(s => s.OperationName), Does.Contain("kc.image.measure"));
            }
        });
        await database.DisposeAsync();
    }

    [Test]
    public async Task ImageSpans_WhenTheSamplerDroppedTheSubmit_AreDroppedWithIt()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var sink = await OtlpSink.StartAsync();
        var spans = new LockedList<Activity>();
        var database = await TestDatabase.CreateAsync();
        var settings = OtlpSettings(sink);

        // Every trace that starts here is sampled; one a caller started follows the caller's decision.
        settings["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
        settings["OTEL_TRACES_SAMPLER_ARG"] = "1.0";
        await using var service = StartService(database, settings, spans);
        using var client = TraceParentClient(service);

        // The caller's trace is not sampled: neither the submit nor, later, the job's images may be.
        var dropped = await SubmitAsync(client, images, $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00");
        var sampled = await SubmitAsync(client, images, $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01");
        await WaitUntilSettledAsync(client, dropped);
        await WaitUntilSettledAsync(client, sampled);
        await Eventually.HoldsAsync(() => ImageSpans(spans, sampled).Count == 2, Timeout);

        Assert.That(ImageSpans(spans, dropped), Is.Empty, "a job whose submit was not sampled is traced not at all");
        await database.DisposeAsync();
    }

    private static Dictionary<string, string?> OtlpSettings(OtlpSink sink) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    /// <summary>The service with an in-memory exporter beside its OTLP one, collecting into <paramref name="spans"/>.</summary>
    private static KcApiFactory StartService(TestDatabase database, Dictionary<string, string?> settings, LockedList<Activity> spans)
    {
        var service = new KcApiFactory(database, settings, services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        service.StartServer();
        return service;
    }

    /// <summary>
    /// A client as if in a process of its own: the traceparent it is given is sent as written, not
    /// replaced by the HttpClient instrumentation the service's tracing adds to the whole test process.
    /// </summary>
    private static HttpClient TraceParentClient(KcApiFactory service) =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = service.CreateClient().BaseAddress };

    private static async Task<long> SubmitAsync(HttpClient client, TestImageServer images, string traceParent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/submit")
        {
            Content = JsonBody(Submission(Visit(KnownStore, images.Url("/img/640x480.png"), images.Url("/img/32x32.jpg")))),
        };
        request.Headers.Add("traceparent", traceParent);
        using var submitted = await client.SendAsync(request);
        return System.Text.Json.Nodes.JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["job_id"]!.GetValue<long>();
    }

    private static List<Activity> ImageSpans(LockedList<Activity> spans, long jobId) =>
        spans.Snapshot().Where(s => s.OperationName == "kc.image" && Equals(s.GetTagItem("kc.job_id"), jobId)).ToList();

    private static StringContent JsonBody(System.Text.Json.Nodes.JsonNode body) =>
        new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>The exporter adds from its own thread while the test reads.</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly List<T> _items = [];
        private readonly Lock _lock = new();

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public List<T> Snapshot()
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }

        public void Add(T item)
        {
            lock (_lock)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _items.Clear();
            }
        }

        public bool Contains(T item) => Snapshot().Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(T item)
        {
            lock (_lock)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
