using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Observability;

/// <summary>
/// One job of known outcomes — 3 images that succeed, 1 that answers 404, 1 of an unknown store —
/// on a fresh service, then <c>GET /metrics</c> as Prometheus reads it.
/// </summary>
[NonParallelizable]
public sealed class MetricsEndpointTests : ServiceTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private long _jobId;
    private JsonNode _details = null!;
    private MetricsText _metrics = null!;

    [OneTimeSetUp]
    public async Task RunTheJobAsync()
    {
        var body = Submission(
            Visit(KnownStore, Images.Url("/img/640x480.png"), Images.Url("/img/320x200.jpg"), Images.Url("/status/404")),
            Visit(OtherKnownStore, Images.Url("/img/100x100.png")),
            Visit("S99999999", Images.Url("/img/64x64.png?unknown-store")));
        _jobId = await SubmitAsync(Client, body);
        await WaitUntilSettledAsync(Client, _jobId);
        _details = await Client.GetJsonAsync($"/api/jobs/{_jobId}");

        // The counters move once the settling transaction commits; a scrape may be served from a short cache.
        _metrics = await ScrapeUntilAsync(m => m.Value("kc_jobs_finished_total", ("status", "failed")) == 1);
    }

    [Test]
    public void Metrics_AfterAJobOfKnownOutcomes_CountsTheJobAndEveryImageExactly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_metrics.Value("kc_jobs_submitted_total"), Is.EqualTo(1));
            Assert.That(_metrics.Value("kc_jobs_finished_total", ("status", "failed")), Is.EqualTo(1));
            Assert.That(_metrics.Find("kc_jobs_finished_total").Sum(s => s.Value), Is.EqualTo(1));
            Assert.That(_metrics.Value("kc_images_processed_total", ("outcome", "succeeded"), ("reason", "none")), Is.EqualTo(3));
            Assert.That(_metrics.Value("kc_images_processed_total", ("outcome", "failed"), ("reason", "http_4xx")), Is.EqualTo(1));
            Assert.That(_metrics.Value("kc_images_processed_total", ("outcome", "failed"), ("reason", "unknown_store")), Is.EqualTo(1));
            Assert.That(_metrics.Find("kc_images_processed_total").Sum(s => s.Value), Is.EqualTo(5));
            Assert.That(_metrics.Value("kc_job_duration_seconds_count", ("status", "failed")), Is.EqualTo(1));
        });
    }

    [Test]
    public void Metrics_AfterAJobOfKnownOutcomes_CountsEachDownloadAndGpuStepInBucketsThatResolveTheGpuTime()
    {
        var gpuBounds = _metrics.Find("kc_image_gpu_duration_seconds_bucket").Select(s => s.Labels["le"]).ToList();

        Assert.Multiple(() =>
        {
            // The 404 is a download that failed: only the three that succeeded are timed.
            Assert.That(_metrics.Value("kc_image_download_duration_seconds_count"), Is.EqualTo(3));
            Assert.That(_metrics.Value("kc_image_gpu_duration_seconds_count"), Is.EqualTo(3));
            Assert.That(gpuBounds, Is.SupersetOf(new[] { "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "+Inf" }));
            Assert.That(_metrics.Value("kc_image_gpu_duration_seconds_bucket", ("le", "+Inf")), Is.EqualTo(3));
        });
    }

    [Test]
    public void Metrics_AfterAJobOfKnownOutcomes_CountsTheBytesTheResultsShow()
    {
        var shown = ImageResults().Select(i => i["bytes"]?.GetValue<long>() ?? 0).Sum();

        Assert.That(shown, Is.GreaterThan(0));
        Assert.That(_metrics.Value("kc_image_download_bytes_total"), Is.EqualTo(shown));
    }

    [Test]
    public async Task Metrics_WhenScraped_ShowsTheQueueAndThisNode()
    {
        var settled = await ScrapeUntilAsync(m => m.Value("kc_queue_images", ("state", "pending")) == 0);

        Assert.Multiple(() =>
        {
            Assert.That(settled.Value("kc_queue_images", ("state", "processing")), Is.Zero);
            Assert.That(settled.Find("kc_queue_oldest_pending_age_seconds"), Is.Empty, "no job waits");
            Assert.That(settled.Value("kc_gpu_slots_busy"), Is.Zero);
            Assert.That(settled.Value("kc_download_slots_busy"), Is.Zero);
            Assert.That(settled.Value("kc_nodes", ("state", "alive")), Is.EqualTo(1));
            Assert.That(settled.Value("kc_nodes", ("state", "lost")), Is.Zero);
            Assert.That(settled.Value("kc_leases_taken_over_total") ?? 0, Is.Zero);
        });
    }

    [Test]
    public void Metrics_WhenScraped_IncludesTheAspNetCoreHttpClientAndRuntimeMetrics()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_metrics.Find("http_server_request_duration_seconds_count"), Is.Not.Empty);
            Assert.That(_metrics.Find("http_client_request_duration_seconds_count"), Is.Not.Empty);
            Assert.That(_metrics.Samples.Where(s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal)), Is.Not.Empty);
        });
    }

    [Test]
    public void Metrics_WhenScraped_NeverLabelsByJobImageStoreOrUrl()
    {
        // KC's own series: the test's image server shares the process, so its ASP.NET Core routes show up too.
        var kc = _metrics.Samples.Where(s => s.Name.StartsWith("kc_", StringComparison.Ordinal)).ToList();
        var labelNames = kc.SelectMany(s => s.Labels.Keys).Distinct().ToList();
        var labelValues = kc.SelectMany(s => s.Labels.Values).ToList();

        Assert.That(kc, Is.Not.Empty);
        Assert.That(labelNames, Is.SubsetOf(new[] { "status", "outcome", "reason", "state", "result", "le", "otel_scope_name", "otel_scope_version" }));
        Assert.That(labelValues, Has.None.Contains("/img/").And.None.Contains(KnownStore).And.None.Contains("127.0.0.1"));
    }

    [Test]
    public async Task Metrics_WhenReadWithoutAnApiKey_AnswersInPrometheusTextFormat()
    {
        using var response = await Client.GetAsync("/metrics");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
    }

    [Test]
    public void Details_AfterTheJob_ShowEachImagesBytesAndWhereItsTimeWent()
    {
        var images = ImageResults().ToDictionary(i => i["image_url"]!.GetValue<string>());
        var succeeded = images[Images.Url("/img/640x480.png").ToString()];
        var notFound = images[Images.Url("/status/404").ToString()];
        var unknownStore = images[Images.Url("/img/64x64.png?unknown-store").ToString()];

        Assert.Multiple(() =>
        {
            Assert.That(succeeded["bytes"]!.GetValue<long>(), Is.GreaterThan(0));
            Assert.That(succeeded["download_ms"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(0));
            Assert.That(succeeded["gpu_ms"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(0));
            Assert.That(notFound["bytes"], Is.Null);
            Assert.That(notFound["download_ms"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(0));
            Assert.That(notFound["gpu_ms"], Is.Null);
            Assert.That(unknownStore.AsObject().ContainsKey("download_ms"), Is.True);
            Assert.That((unknownStore["bytes"], unknownStore["download_ms"], unknownStore["gpu_ms"]), Is.EqualTo(((JsonNode?)null, (JsonNode?)null, (JsonNode?)null)));
        });
    }

    [Test]
    public async Task ResultsCsv_AfterTheJob_EndsEachRowWithBytesDownloadMsAndGpuMs()
    {
        var lines = (await Client.GetStringAsync($"/api/jobs/{_jobId}/results.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var succeeded = lines.Single(l => l.Contains("/img/640x480.png", StringComparison.Ordinal)).Split(',');
        var unknownStore = lines.Single(l => l.Contains("unknown-store", StringComparison.Ordinal)).Split(',');
        var bytes = ImageResults().Single(i => i["image_url"]!.GetValue<string>().EndsWith("/img/640x480.png", StringComparison.Ordinal))["bytes"]!.GetValue<long>();

        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Does.EndWith(",error,bytes,download_ms,gpu_ms"));
            Assert.That(succeeded[^3], Is.EqualTo(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(int.Parse(succeeded[^2], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(0));
            Assert.That(int.Parse(succeeded[^1], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(0));
            Assert.That(unknownStore[^3..], Is.EqualTo(new[] { string.Empty, string.Empty, string.Empty }));
        });
    }

    private IEnumerable<JsonNode> ImageResults() =>
        _details["visits"]!.AsArray().SelectMany(v => v!["images"]!.AsArray()).Select(i => i!);

    private async Task<MetricsText> ScrapeUntilAsync(Func<MetricsText, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var metrics = MetricsText.Parse(await Client.GetStringAsync("/metrics"));
            if (condition(metrics))
            {
                return metrics;
            }

            if (clock.Elapsed > Timeout)
            {
                Assert.Fail($"/metrics did not show what was awaited within {Timeout.TotalSeconds} s:\n{metrics.Text}");
            }

            await Task.Delay(200);
        }
    }
}
