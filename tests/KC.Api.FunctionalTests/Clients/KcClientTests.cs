using System.Net;
using System.Text;
using System.Text.Json;
using KC.Api.FunctionalTests.Infrastructure;
using KC.Client;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Clients.ClientJobs;

namespace KC.Api.FunctionalTests.Clients;

/// <summary>Every method of <see cref="KcClient"/> against the running service, as an API consumer uses it.</summary>
public sealed class KcClientTests : ServiceTestBase
{
    private static readonly TimeSpan FastPoll = TimeSpan.FromMilliseconds(20);

    private HttpClient _http = null!;

    private KcClient Kc { get; set; } = null!;

    [OneTimeSetUp]
    public void CreateClient()
    {
        _http = new HttpClient();
        new KcClientOptions { BaseAddress = Client.BaseAddress }.ApplyTo(_http);
        Kc = new KcClient(_http);
    }

    [OneTimeTearDown]
    public void DisposeClient() => _http.Dispose();

    [Test]
    public async Task SubmitAsync_WithIdempotencyKeyAndCallback_MakesOneJobAndDeliversItsStatus()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var job = JobOf(VisitOf(KnownStore, Images.Url("/img/64x48.png"))) with { CallbackUrl = receiver.Url("client") };
        var key = $"client-tests-{Guid.NewGuid()}";

        var first = await Kc.SubmitAsync(job, key);
        var retry = await Kc.SubmitAsync(job, key);

        var final = await Kc.WaitForCompletionAsync(first.JobId, pollInterval: FastPoll);
        var delivered = await receiver.WaitForAsync("client", 1, TimeSpan.FromSeconds(30));
        var details = await Kc.GetJobAsync(first.JobId);
        Assert.Multiple(() =>
        {
            Assert.That(first.Replayed, Is.False);
            Assert.That(retry, Is.EqualTo(first with { Replayed = true }));
            Assert.That(JsonSerializer.Deserialize<JobStatus>(delivered[0].Body, KcJson.Options), Is.EqualTo(final).Using<JobStatus>(SameStatus));
            Assert.That(details.Callback?.Url, Is.EqualTo(receiver.Url("client").ToString()));
        });
    }

    [Test]
    public async Task SubmitAsync_WhenAnImageUrlIsNotAbsolute_ThrowsKcApiExceptionNamingTheField()
    {
        var job = JobOf(VisitOf(KnownStore, Images.Url("/img/5x5.png"), new Uri("shelf.png", UriKind.Relative)));

        var refusal = Assert.ThrowsAsync<KcApiException>(() => Kc.SubmitAsync(job));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refusal.Error, Is.EqualTo("visits[0].image_url[1]: must be an absolute http or https URL"));
            Assert.That(refusal.Message, Is.EqualTo(refusal.Error));
            Assert.That(refusal.Title, Is.EqualTo("The request is invalid."));
            Assert.That(refusal.Errors["visits[0].image_url[1]"], Is.EqualTo(new[] { "must be an absolute http or https URL" }));
        });
    }

    [Test]
    public async Task SubmitAsync_WhenCountDiffersAndAStoreIdIsBlank_ListsBothFieldsInErrors()
    {
        var job = JobOf(VisitOf(" ", Images.Url("/img/5x5.png"))) with { Count = 2 };

        var refusal = Assert.ThrowsAsync<KcApiException>(() => Kc.SubmitAsync(job));

        Assert.That(refusal!.Errors.Keys, Is.SupersetOf(new[] { "count", "visits[0].store_id" }));
    }

    [Test]
    public async Task SubmitAsync_WhenTheKeyIsReusedWithAnotherBody_Throws422()
    {
        var key = $"client-tests-{Guid.NewGuid()}";
        await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/6x6.png"))), key);

        var refusal = Assert.ThrowsAsync<KcApiException>(() => Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/7x7.png"))), key));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(refusal.Error, Is.EqualTo($"Idempotency-Key '{key}' was already used with a different request body"));
        });
    }

    [Test]
    public async Task GetStatusAsync_WhenTheJobFailed_ListsTheFailingStores()
    {
        var missing = Images.Url("/status/404");
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(UnknownStore, Images.Url("/img/8x8.png")), VisitOf(KnownStore, missing, Images.Url("/img/9x9.png"))));
        await Kc.WaitForCompletionAsync(submitted.JobId, pollInterval: FastPoll);

        var status = await Kc.GetStatusAsync(submitted.JobId);

        Assert.Multiple(() =>
        {
            Assert.That(status.Status, Is.EqualTo(JobState.Failed));
            Assert.That(status.Progress, Is.EqualTo(new JobProgress { Total = 3, Succeeded = 1, Failed = 2, Cancelled = 0, Pending = 0 }));
            Assert.That(status.Error, Is.EqualTo(new[]
            {
                new StoreError { StoreId = UnknownStore, Error = "unknown store_id" },
                new StoreError { StoreId = KnownStore, Error = $"{missing}: HTTP 404" },
            }));
        });
    }

    [Test]
    public void GetStatusAsync_WhenTheJobDoesNotExist_ThrowsKcNotFoundException()
    {
        var refusal = Assert.ThrowsAsync<KcNotFoundException>(() => Kc.GetStatusAsync(987654321));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the contract's 400 {}");
            Assert.That(refusal.Error, Is.EqualTo("Job 987654321 was not found."));
        });
    }

    [Test]
    public async Task GetJobAsync_WhenTheJobCompleted_ReadsEveryVisitAndImage()
    {
        var visit = VisitOf(KnownStore, Images.Url("/img/640x480.png"), Images.Url("/img/30x20.png")) with
        {
            VisitTime = DateTimeOffset.Parse("2025-03-11T17:30:00+05:30", System.Globalization.CultureInfo.InvariantCulture),
        };
        var submitted = await Kc.SubmitAsync(JobOf(visit, VisitOf(OtherKnownStore, Images.Url("/img/300x200.png"))));
        await Kc.WaitForCompletionAsync(submitted.JobId, pollInterval: FastPoll);

        var job = await Kc.GetJobAsync(submitted.JobId);

        var first = job.Visits[0];
        Assert.Multiple(() =>
        {
            Assert.That(job.JobId, Is.EqualTo(submitted.JobId));
            Assert.That(job.Status, Is.EqualTo(JobState.Completed));
            Assert.That(job.CompletedAt, Is.GreaterThanOrEqualTo(job.CreatedAt));
            Assert.That(job.EstimatedCompletionAt, Is.Null);
            Assert.That(job.Progress, Is.EqualTo(new JobProgress { Total = 3, Succeeded = 3, Failed = 0, Cancelled = 0, Pending = 0 }));
            Assert.That(job.Error, Is.Empty);
            Assert.That(job.Callback, Is.Null);
            Assert.That((first.StoreId, first.StoreName, first.AreaCode, first.Status), Is.EqualTo((KnownStore, "BHARAT STORE", "710006", JobState.Completed)));
            Assert.That(first.VisitTime, Is.EqualTo(VisitTime));
            Assert.That(first.VisitTime.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(job.Visits.SelectMany(v => v.Images).Select(i => (i.Status, i.Width, i.Height, i.Perimeter, i.Error)), Is.EqualTo(new[]
            {
                (ImageState.Succeeded, (int?)640, (int?)480, (long?)2240, (string?)null),
                (ImageState.Succeeded, 30, 20, 100, null),
                (ImageState.Succeeded, 300, 200, 1000, null),
            }));
            Assert.That(first.Images[0].ImageUrl, Is.EqualTo(Images.Url("/img/640x480.png").ToString()));
            Assert.That(first.Images[0].Attempts, Is.EqualTo(1));
            Assert.That(first.Images[0].Bytes, Is.EqualTo(TestImages.Png(640, 480).Length));
            Assert.That(job.Visits.SelectMany(v => v.Images), Has.All.Matches<ImageResult>(i => i.DownloadMs >= 0 && i.GpuMs >= 1));
            Assert.That(job.Visits[1].StoreName, Is.EqualTo("NEW SAHA STORES, GARIA"));
        });
    }

    [Test]
    public void GetJobAsync_WhenTheJobDoesNotExist_ThrowsKcNotFoundExceptionWithTheServicesError()
    {
        var refusal = Assert.ThrowsAsync<KcNotFoundException>(() => Kc.GetJobAsync(987654321));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(refusal.Error, Is.EqualTo("Job 987654321 was not found."));
        });
    }

    [Test]
    public async Task ListJobsAsync_WithStatusAndPaging_ReturnsThatPageOfThoseJobs()
    {
        var failed = await Kc.SubmitAsync(JobOf(VisitOf(UnknownStore, Images.Url("/img/10x10.png"))));
        await Kc.WaitForCompletionAsync(failed.JobId, pollInterval: FastPoll);
        var completed = await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/11x11.png"))));
        await Kc.WaitForCompletionAsync(completed.JobId, pollInterval: FastPoll);

        var failedJobs = await Kc.ListJobsAsync(new JobQuery { Status = JobState.Failed, PageSize = 500 });
        var second = await Kc.ListJobsAsync(new JobQuery { Page = 2, PageSize = 1 });
        var all = await Kc.ListJobsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(failedJobs.Items.Select(j => j.Status), Is.All.EqualTo(JobState.Failed));
            Assert.That(failedJobs.Items.Select(j => j.JobId), Does.Contain(failed.JobId).And.Not.Contain(completed.JobId));
            Assert.That(failedJobs.Items.Single(j => j.JobId == failed.JobId).Progress.Failed, Is.EqualTo(1));
            Assert.That((second.Page, second.PageSize, second.Items.Count), Is.EqualTo((2, 1, 1)));
            Assert.That(second.TotalPages, Is.EqualTo(all.TotalItems));
            Assert.That(second.Items[0].JobId, Is.EqualTo(all.Items[1].JobId), "newest first");
        });
    }

    [Test]
    public async Task SearchVisitsAsync_ByStoreAndATimeRangeGivenWithAnOffset_FindsTheVisit()
    {
        var at = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(OtherKnownStore, Images.Url("/img/12x12.png")) with { VisitTime = at }));
        await Kc.WaitForCompletionAsync(submitted.JobId, pollInterval: FastPoll);
        var india = TimeSpan.FromHours(5.5);

        var found = await Kc.SearchVisitsAsync(new VisitQuery
        {
            StoreId = OtherKnownStore,
            StartDate = at.ToOffset(india),
            EndDate = at.AddSeconds(1).ToOffset(india),
        });
        var otherArea = await Kc.SearchVisitsAsync(new VisitQuery { Area = "710006", StartDate = at, EndDate = at });

        Assert.Multiple(() =>
        {
            Assert.That(found.Items.Select(v => (v.JobId, v.StoreId, v.StoreName, v.AreaCode, v.VisitTime)), Is.EqualTo(new[] { (submitted.JobId, OtherKnownStore, (string?)"NEW SAHA STORES, GARIA", (string?)"700092", at) }));
            Assert.That(found.Items[0].Images.Single().Perimeter, Is.EqualTo(48));
            Assert.That(otherArea.Items, Is.Empty);
        });
    }

    [Test]
    public async Task ImportStoresAsync_FromAStreamAndAFile_UpsertsAndReportsRejectedRows()
    {
        const string Csv = "AreaCode,StoreName,StoreID\n560001,Client Test Store,SCLIENT01\n560001,,SCLIENT02\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Csv));
        var path = Path.Combine(Path.GetTempPath(), $"kc-client-stores-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, Csv);

        var fromStream = await Kc.ImportStoresAsync(stream);
        var fromFile = await Kc.ImportStoresAsync(path);

        File.Delete(path);
        var store = await Kc.GetStoreAsync("SCLIENT01");
        var named = await Kc.ListStoresAsync(new StoreQuery { Name = "client test", Area = "560001" });
        Assert.Multiple(() =>
        {
            Assert.That((fromStream.Inserted, fromStream.Updated, fromStream.Unchanged, fromStream.RejectedTotal), Is.EqualTo((1, 0, 0, 1)));
            Assert.That(fromStream.Rejected.Single().Line, Is.EqualTo(3));
            Assert.That(fromStream.Rejected.Single().Reason, Does.Contain("store_name"));
            Assert.That((fromFile.Inserted, fromFile.Unchanged), Is.EqualTo((0, 1)));
            Assert.That(store, Is.EqualTo(new Store { StoreId = "SCLIENT01", StoreName = "Client Test Store", AreaCode = "560001" }));
            Assert.That(named.Items, Is.EqualTo(new[] { store }));
        });
    }

    [Test]
    public void GetStoreAsync_WhenNoStoreHasTheId_ThrowsKcNotFoundException()
    {
        var refusal = Assert.ThrowsAsync<KcNotFoundException>(() => Kc.GetStoreAsync("NO SUCH/STORE"));

        Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ListNodesAsync_WhenOneServiceRuns_ListsItAlive()
    {
        var nodes = await Kc.ListNodesAsync();

        Assert.Multiple(() =>
        {
            Assert.That(nodes, Has.Count.EqualTo(1));
            Assert.That((nodes[0].Role, nodes[0].State), Is.EqualTo((NodeRole.All, NodeState.Alive)));
            Assert.That(nodes[0].NodeId, Does.StartWith("test-node-"));
        });
    }

    [Test]
    public async Task CancelAsync_WhenTheJobIsOngoing_CancelsItsPendingImages()
    {
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/slow/60000/13x13.png"), Images.Url("/slow/60000/14x14.png"))));

        var cancelled = await Kc.CancelAsync(submitted.JobId);

        var status = await Kc.GetStatusAsync(submitted.JobId);
        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Status, Is.EqualTo(JobState.Cancelled));
            Assert.That(cancelled.Progress, Is.EqualTo(new JobProgress { Total = 2, Succeeded = 0, Failed = 0, Cancelled = 2, Pending = 0 }));
            Assert.That(status, Is.EqualTo(cancelled).Using<JobStatus>(SameStatus));
        });
    }

    [Test]
    public async Task CancelAsync_WhenTheJobHasCompleted_ThrowsKcApiExceptionWith409()
    {
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/15x15.png"))));
        await Kc.WaitForCompletionAsync(submitted.JobId, pollInterval: FastPoll);

        var refusal = Assert.ThrowsAsync<KcApiException>(() => Kc.CancelAsync(submitted.JobId));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(refusal.Error, Is.EqualTo($"Job {submitted.JobId} is already completed; only an ongoing job can be cancelled."));
        });
    }

    [Test]
    public async Task GetResultsCsvAsync_WhenTheJobCompleted_StreamsTheServicesCsv()
    {
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/16x16.png"), Images.Url("/status/404"))));
        await Kc.WaitForCompletionAsync(submitted.JobId, pollInterval: FastPoll);

        string csv;
        await using (var stream = await Kc.GetResultsCsvAsync(submitted.JobId))
        {
            using var reader = new StreamReader(stream);
            csv = await reader.ReadToEndAsync();
        }

        var expected = await Client.GetStringAsync(new Uri($"/api/jobs/{submitted.JobId}/results.csv", UriKind.Relative));
        var lines = csv.Split("\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(csv, Is.EqualTo(expected));
            Assert.That(lines[0], Is.EqualTo("store_id,store_name,area_code,visit_time,image_url,status,width,height,perimeter,error,bytes,download_ms,gpu_ms"));
            Assert.That(lines[1], Does.Match(",succeeded,16,16,64,,[0-9]+,[0-9]+,[0-9]+$"));
            Assert.That(lines[2], Does.Match(",failed,,,,HTTP 404,,[0-9]+,$"));
        });
    }

    [Test]
    public void GetResultsCsvAsync_WhenTheJobDoesNotExist_ThrowsKcNotFoundException()
    {
        Assert.ThrowsAsync<KcNotFoundException>(() => Kc.GetResultsCsvAsync(987654321));
    }

    [Test]
    public async Task WaitForCompletionAsync_WhileImagesSettle_ReportsEveryStatusUntilTheFinalOne()
    {
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/17x17.png"), Images.Url("/slow/1500/18x18.png"), Images.Url("/slow/3000/19x19.png"))));
        var reports = new List<JobStatus>();

        var final = await Kc.WaitForCompletionAsync(submitted.JobId, new Recorder(reports), FastPoll);

        var settled = reports.Select(r => r.Progress.Settled).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(final.Status, Is.EqualTo(JobState.Completed));
            Assert.That(reports[0].Status, Is.EqualTo(JobState.Ongoing), "the first poll comes before the slow images settle");
            Assert.That(reports[^1], Is.EqualTo(final).Using<JobStatus>(SameStatus));
            Assert.That(reports.Take(reports.Count - 1).Select(r => r.Status), Is.All.EqualTo(JobState.Ongoing));
            Assert.That(settled, Is.Ordered);
            Assert.That(settled.Distinct().Count(), Is.GreaterThanOrEqualTo(2), "progress was seen to move");
            Assert.That(reports.Select(r => r.Progress.Settled + r.Progress.Pending), Is.All.EqualTo(3));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_WhenCancelled_ThrowsAndTheJobGoesOn()
    {
        var submitted = await Kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/slow/60000/20x20.png"))));
        using var stop = new CancellationTokenSource();
        var reports = new List<JobStatus>();

        var waiting = Kc.WaitForCompletionAsync(submitted.JobId, new Recorder(reports, _ => stop.Cancel()), FastPoll, stop.Token);

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        var status = await Kc.GetStatusAsync(submitted.JobId);
        await Kc.CancelAsync(submitted.JobId);
        Assert.Multiple(() =>
        {
            Assert.That(reports, Has.Count.EqualTo(1));
            Assert.That(status.Status, Is.EqualTo(JobState.Ongoing));
        });
    }

    [Test]
    public void WaitForCompletionAsync_WhenTheJobDoesNotExist_ThrowsKcNotFoundException()
    {
        Assert.ThrowsAsync<KcNotFoundException>(() => Kc.WaitForCompletionAsync(987654321, pollInterval: FastPoll));
    }

    [Test]
    public void WaitForCompletionAsync_WhenThePollIntervalIsNotPositive_ThrowsArgumentOutOfRange()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Kc.WaitForCompletionAsync(1, pollInterval: TimeSpan.Zero));
    }

    // Records compare their lists by reference; a status read twice is the same when its members are.
    private static bool SameStatus(JobStatus a, JobStatus b) =>
        a.JobId == b.JobId && a.Status == b.Status && a.Progress == b.Progress && a.Error.SequenceEqual(b.Error);

    /// <summary>Keeps every report, in order, on the thread that made it.</summary>
    private sealed class Recorder(List<JobStatus> reports, Action<JobStatus>? then = null) : IProgress<JobStatus>
    {
        public void Report(JobStatus value)
        {
            reports.Add(value);
            then?.Invoke(value);
        }
    }
}
