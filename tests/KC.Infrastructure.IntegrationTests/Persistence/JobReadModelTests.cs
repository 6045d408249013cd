using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.IntegrationTests.Persistence;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class JobReadModelTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static readonly DateTimeOffset ProcessedAt = Now.AddSeconds(4);

    [Test]
    public async Task GetStatusAsync_WhenJobDoesNotExist_ReturnsNull()
    {
        await Database.SaveJobAsync(JobWithImages(1));

        var status = await GetStatusAsync(jobId: 999);

        Assert.That(status, Is.Null);
    }

    [Test]
    public async Task GetStatusAsync_WhenJobIsOngoing_ReturnsProgressWithoutErrors()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 2), Visit("NOPE", 1)], unknownStores: ["NOPE"]));

        var status = await GetStatusAsync(job.Id);

        Assert.That(status, Is.Not.Null);
        Assert.That(status!.JobId, Is.EqualTo(job.Id));
        Assert.That(status.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(status.Progress, Is.EqualTo(new JobProgress(3, 0, 1)));
        Assert.That(status.Errors, Is.Empty);
    }

    [Test]
    public async Task GetStatusAsync_WhenJobCompleted_ReturnsCompletedWithoutErrors()
    {
        var job = await Database.SaveJobAsync(JobWithImages(2));
        await ProcessAsync(_ => null);

        var status = await GetStatusAsync(job.Id);

        Assert.That(status!.Status, Is.EqualTo(JobStatus.Completed));
        Assert.That(status.Progress, Is.EqualTo(new JobProgress(2, 2, 0)));
        Assert.That(status.Errors, Is.Empty);
    }

    [Test]
    public async Task GetStatusAsync_WhenJobFailed_ReturnsOneSummarisedErrorPerFailingStoreInOrderOfAppearance()
    {
        var job = await Database.SaveJobAsync(NewJob(
            [Visit("S2", 2), Visit("NOPE", 2), Visit("S1", 4), Visit("S3", 1), Visit("S4", 2)],
            unknownStores: ["NOPE"]));
        await ProcessAsync(image => image.Url switch
        {
            var url when url == Urls("S2", first: 1)[0] => "HTTP 404",
            var url when url.Contains("/S1/", StringComparison.Ordinal) => "HTTP 500",
            var url when url.Contains("/S4/", StringComparison.Ordinal) => "timeout",
            _ => null,
        });

        var status = await GetStatusAsync(job.Id);

        Assert.That(status!.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(status.Progress, Is.EqualTo(new JobProgress(11, 2, 9)));
        var s1 = Urls("S1", 3);
        var s4 = Urls("S4", 2);
        Assert.That(status.Errors, Is.EqualTo(new[]
        {
            new StoreError("S2", $"{Urls("S2", first: 1)[0]}: HTTP 404"),
            new StoreError("NOPE", Job.UnknownStoreError),
            new StoreError("S1", $"4 images failed: {s1[0]}: HTTP 500; {s1[1]}: HTTP 500; {s1[2]}: HTTP 500; and 1 more"),
            new StoreError("S4", $"2 images failed: {s4[0]}: timeout; {s4[1]}: timeout"),
        }));
    }

    [Test]
    public async Task GetStatusAsync_WhenEveryStoreIsUnknown_ReturnsFailedWithUnknownStoreErrors()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("NOPE", 2), Visit("GONE", 1)], unknownStores: ["NOPE", "GONE"]));

        var status = await GetStatusAsync(job.Id);

        Assert.That(status!.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(status.Errors, Is.EqualTo(new[]
        {
            new StoreError("NOPE", Job.UnknownStoreError),
            new StoreError("GONE", Job.UnknownStoreError),
        }));
    }

    [Test]
    public async Task GetStatusAsync_WhenAStoreFailsInSeveralVisits_ListsItsFirstThreeFailuresInJobOrderAndCountsThemAll()
    {
        var first = Urls("S1", 2);
        var later = Urls("S1", 3, first: 10);
        var s2 = Urls("S2", 2);
        var job = await Database.SaveJobAsync(NewJob([Visit("S2", urls: [s2[0]]), Visit("S1", urls: first), Visit("S1", urls: later), Visit("S2", urls: [s2[1]])]));
        await ProcessAsync(image => image.Url.Contains("/S1/", StringComparison.Ordinal) ? "HTTP 500" : image.Url == s2[1] ? "timeout" : null);

        var status = await GetStatusAsync(job.Id);

        Assert.That(status!.Errors, Is.EqualTo(new[]
        {
            new StoreError("S1", $"5 images failed: {first[0]}: HTTP 500; {first[1]}: HTTP 500; {later[0]}: HTTP 500; and 2 more"),
            new StoreError("S2", $"{s2[1]}: timeout"),
        }));
    }

    [Test]
    public async Task GetStatusAsync_WhenJobFailed_ReadsTheListKeptWhenItSettledNotItsImages()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 1)]));
        await ProcessAsync(_ => "HTTP 500");
        await ExecuteAsync($"UPDATE images SET error = 'changed since' WHERE job_id = {job.Id}");

        var status = await GetStatusAsync(job.Id);

        Assert.That(status!.Errors, Is.EqualTo(new[] { new StoreError("S1", $"{Urls("S1")[0]}: HTTP 500") }));
    }

    [Test]
    public async Task GetStatusAsync_WhenEveryStoreIsUnknown_ReadsTheListKeptWhenTheSubmitFailedIt()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("NOPE", 1)], unknownStores: ["NOPE"]));
        await ExecuteAsync($"UPDATE visits SET store_id = 'CHANGED' WHERE job_id = {job.Id}");

        var status = await GetStatusAsync(job.Id);

        Assert.That(status!.Errors, Is.EqualTo(new[] { new StoreError("NOPE", Job.UnknownStoreError) }));
    }

    [Test]
    public async Task GetStatusAsync_WhenAFailedJobKeptNoList_SummarisesItsFailedImages()
    {
        // A job that failed before the list was kept on its row.
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 1), Visit("NOPE", 1)], unknownStores: ["NOPE"]));
        await ProcessAsync(_ => "HTTP 500");
        await ExecuteAsync($"UPDATE jobs SET error_summary = NULL WHERE id = {job.Id}");
        await ExecuteAsync($"UPDATE images SET error = 'HTTP 502' WHERE job_id = {job.Id} AND url = '{Urls("S1")[0]}'");

        var status = await GetStatusAsync(job.Id);
        var details = await GetDetailsAsync(job.Id);

        var expected = new[] { new StoreError("S1", $"{Urls("S1")[0]}: HTTP 502"), new StoreError("NOPE", Job.UnknownStoreError) };
        Assert.That(status!.Errors, Is.EqualTo(expected));
        Assert.That(details!.Errors, Is.EqualTo(expected));
    }

    [Test]
    public async Task GetStatusAsync_WhenAFailedJobWasRetriedAndFailedAgain_ListsTheNewFailures()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 2)]));
        await ProcessAsync(_ => "HTTP 500");
        await using (var db = Database.CreateContext())
        {
            await new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).TryRetryAsync(job.Id, CancellationToken.None);
        }

        var whileRetried = await GetStatusAsync(job.Id);
        await ProcessAsync(image => image.Url == Urls("S1", 2)[1] ? "timeout" : null);
        var status = await GetStatusAsync(job.Id);

        Assert.That((whileRetried!.Status, whileRetried.Errors.Count), Is.EqualTo((JobStatus.Ongoing, 0)));
        Assert.That(status!.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(status.Errors, Is.EqualTo(new[] { new StoreError("S1", $"{Urls("S1", 2)[1]}: timeout") }));
    }

    [Test]
    public async Task GetDetailsAsync_WhenJobDoesNotExist_ReturnsNull()
    {
        await Database.SaveJobAsync(JobWithImages(1));

        var details = await GetDetailsAsync(jobId: 999);

        Assert.That(details, Is.Null);
    }

    [Test]
    public async Task GetDetailsAsync_WhenJobHasVisits_ReturnsThemWithStoreNameAndAreaCodeFromStores()
    {
        await Database.SeedStoresAsync(NewStore("S1", "BHARAT STORE", "710006"), NewStore("S2", "Nikita Store, 2", "7100015"));
        var laterTime = new DateTimeOffset(2025, 3, 11, 17, 30, 0, TimeSpan.FromHours(5.5));
        var job = await Database.SaveJobAsync(NewJob(
            [Visit("S1", 1), Visit("NOPE", 1), Visit("S2", 1, visitTime: laterTime)],
            unknownStores: ["NOPE"]));

        var details = await GetDetailsAsync(job.Id);

        Assert.That(details!.Visits.Select(v => (v.StoreId, v.StoreName, v.AreaCode)), Is.EqualTo(new (string, string?, string?)[]
        {
            ("S1", "BHARAT STORE", "710006"),
            ("NOPE", null, null),
            ("S2", "Nikita Store, 2", "7100015"),
        }));
        Assert.That(details.Visits.Select(v => v.VisitTime), Is.EqualTo(new[] { VisitTime, VisitTime, laterTime }));
    }

    [Test]
    public async Task GetDetailsAsync_WhenStoreIsKnownToTheJobButNotInStoresTable_ReturnsNullNameAndAreaCode()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 1)]));

        var details = await GetDetailsAsync(job.Id);

        var visit = details!.Visits.Single();
        Assert.That((visit.StoreId, visit.StoreName, visit.AreaCode), Is.EqualTo(("S1", (string?)null, (string?)null)));
    }

    [Test]
    public async Task GetDetailsAsync_WhenImagesHaveSettled_ReturnsThemInSeqOrderWithTheirResults()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 3), Visit("S2", 2)]));
        await ProcessAsync(image => image.Url == Urls("S2", first: 1)[0] ? "HTTP 404" : null);

        var details = await GetDetailsAsync(job.Id);

        var s1 = Urls("S1", 3);
        var s2 = Urls("S2", 2);
        Assert.That(details!.Visits.Select(v => v.Images.Count), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(details.Visits[0].Images, Is.EqualTo(new[]
        {
            new ImageView(s1[0], ImageState.Succeeded, 1, 640, 480, 2_240, null),
            new ImageView(s1[1], ImageState.Succeeded, 1, 641, 480, 2_242, null),
            new ImageView(s1[2], ImageState.Succeeded, 1, 642, 480, 2_244, null),
        }));
        Assert.That(details.Visits[1].Images, Is.EqualTo(new[]
        {
            new ImageView(s2[0], ImageState.Succeeded, 1, 643, 480, 2_246, null),
            new ImageView(s2[1], ImageState.Failed, 1, null, null, null, "HTTP 404", LastError: "HTTP 404"),
        }));
    }

    [Test]
    public async Task GetDetailsAsync_WhenImageSucceededAfterFailedAttempts_ReturnsItsAttemptsAndLastError()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 2)]));
        var queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions(), new FakeTimeProvider(ProcessedAt), TestTelemetry.Lifecycle, TestTelemetry.Instruments);
        var claimed = (await queue.ClaimAsync("worker", 10, CancellationToken.None)).OrderBy(c => c.ImageId).ToList();
        await queue.RecordOutcomesAsync(
            "worker",
            [ImageOutcome.Succeeded(claimed[0], new ImageSize(640, 480), attempts: 3, lastError: "HTTP 503")],
            CancellationToken.None);

        var details = await GetDetailsAsync(job.Id);

        var s1 = Urls("S1", 2);
        Assert.That(details!.Visits.Single().Images, Is.EqualTo(new[]
        {
            new ImageView(s1[0], ImageState.Succeeded, 3, 640, 480, 2_240, null, LastError: "HTTP 503"),
            new ImageView(s1[1], ImageState.Processing, 0, null, null, null, null, LastError: null),
        }));
    }

    [Test]
    public async Task GetDetailsAsync_WhenVisitsDiffer_ReturnsEachVisitsOwnStatus()
    {
        var job = await Database.SaveJobAsync(NewJob(
            [Visit("S1", 2), Visit("S2", 2), Visit("NOPE", 1), Visit("S3", 2)],
            unknownStores: ["NOPE"]));
        await ProcessAsync(
            image => image.Url == Urls("S2", first: 1)[0] ? "HTTP 404" : null,
            settle: image => !image.Url.Contains("/S3/", StringComparison.Ordinal) || image.Url == Urls("S3")[0]);

        var details = await GetDetailsAsync(job.Id);

        Assert.That(details!.Visits.Select(v => (v.StoreId, v.Status)), Is.EqualTo(new[]
        {
            ("S1", JobStatus.Completed),
            ("S2", JobStatus.Failed),
            ("NOPE", JobStatus.Failed),
            ("S3", JobStatus.Ongoing),
        }));
        Assert.That(details.Visits[3].Images.Select(i => i.State), Is.EqualTo(new[] { ImageState.Succeeded, ImageState.Processing }));
    }

    [Test]
    public async Task GetDetailsAsync_WhenJobIsOngoing_ReturnsProgressAndNoCompletedAtOrErrors()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 2), Visit("NOPE", 1)], unknownStores: ["NOPE"]));

        var details = await GetDetailsAsync(job.Id);

        Assert.That(details!.JobId, Is.EqualTo(job.Id));
        Assert.That(details.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(details.CreatedAt, Is.EqualTo(Now));
        Assert.That(details.CompletedAt, Is.Null);
        Assert.That(details.Progress, Is.EqualTo(new JobProgress(3, 0, 1)));
        Assert.That(details.Errors, Is.Empty);
    }

    [Test]
    public async Task GetDetailsAsync_WhenJobFailed_ReturnsCompletedAtAndStoreErrors()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 1), Visit("S2", 1)]));
        await ProcessAsync(image => image.Url.Contains("/S2/", StringComparison.Ordinal) ? "HTTP 404" : null);

        var details = await GetDetailsAsync(job.Id);

        Assert.That(details!.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(details.CompletedAt, Is.EqualTo(ProcessedAt));
        Assert.That(details.Progress, Is.EqualTo(new JobProgress(2, 1, 1)));
        Assert.That(details.Errors, Is.EqualTo(new[] { new StoreError("S2", $"{Urls("S2")[0]}: HTTP 404") }));
    }

    [Test]
    public async Task GetPageAsync_WhenTheJobHasMoreImagesThanThePage_ReadsOnlyThePagesFirstImagesFailingVisitsFirst()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 3), Visit("S2", 2), Visit("S3", 4)]));
        await ProcessAsync(image => image.Url == Urls("S2")[0] ? "HTTP 404" : null);

        var page = await GetPageAsync(job.Id, maxImages: 4);

        Assert.That(
            page!.Visits.Select(v => (v.StoreId, v.Status, v.ImageCount, string.Join(" ", v.Images.Select(i => i.ImageUrl)))),
            Is.EqualTo(new[]
            {
                ("S2", JobStatus.Failed, 2, string.Join(" ", Urls("S2", 2))),
                ("S1", JobStatus.Completed, 3, string.Join(" ", Urls("S1", 2))),
                ("S3", JobStatus.Completed, 4, ""),
            }));
        Assert.That(page.Progress, Is.EqualTo(new JobProgress(9, 8, 1)));
        Assert.That(page.Errors, Is.EqualTo(new[] { new StoreError("S2", $"{Urls("S2")[0]}: HTTP 404") }));
    }

    [Test]
    public async Task GetPageAsync_WhenEveryImageFits_ListsWhatTheDetailsList()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 2), Visit("NOPE", 1), Visit("S3", 2)], unknownStores: ["NOPE"]));
        await ProcessAsync(_ => null, settle: image => !image.Url.Contains("/S3/", StringComparison.Ordinal));

        var page = await GetPageAsync(job.Id, maxImages: 2_000);
        var details = await GetDetailsAsync(job.Id);

        static IEnumerable<string> Shown(IEnumerable<VisitView> visits) =>
            visits.Select(v => $"{v.StoreId} {v.Status} {v.ImageCount}: {string.Join(", ", v.Images.Select(i => $"{i.ImageUrl} {i.State} {i.Width}x{i.Height}"))}");
        Assert.That(
            Shown(page!.Visits),
            Is.EqualTo(Shown(details!.Visits.OrderBy(v => v.Status == JobStatus.Failed ? 0 : 1))));
        Assert.That(page.Visits.Select(v => v.StoreId), Is.EqualTo(new[] { "NOPE", "S1", "S3" }));
    }

    [Test]
    public async Task GetPageAsync_WhenJobDoesNotExist_ReturnsNull()
    {
        await Database.SaveJobAsync(JobWithImages(1));

        Assert.That(await GetPageAsync(jobId: 999, maxImages: 10), Is.Null);
    }

    [Test]
    public async Task GetStatusAsync_WhenJobIsCancelledPartWay_CountsItsUnsettledImagesAsCancelled()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 3), Visit("S2", 2)]));
        await ProcessAsync(_ => null, settle: image => image.Url.Contains("/S1/", StringComparison.Ordinal));
        await using (var db = Database.CreateContext())
        {
            await new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).TryCancelAsync(job.Id, ProcessedAt, CancellationToken.None);
        }

        var status = await GetStatusAsync(job.Id);
        var details = await GetDetailsAsync(job.Id);

        var images = details!.Visits.SelectMany(v => v.Images).ToList();
        Assert.That(status!.Progress, Is.EqualTo(new JobProgress(5, 3, 0, 2)));
        Assert.That(status.Progress.Cancelled, Is.EqualTo(images.Count(i => i.State == ImageState.Cancelled)));
        Assert.That(status.Progress.Pending, Is.Zero);
        Assert.That(details.Progress, Is.EqualTo(status.Progress));
        Assert.That(details.Visits.Select(v => v.Status), Is.EqualTo(new[] { JobStatus.Completed, JobStatus.Cancelled }));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var db = Database.CreateContext();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    private async Task<JobStatusView?> GetStatusAsync(long jobId)
    {
        await using var db = Database.CreateContext();
        return await new JobReadModel(db).GetStatusAsync(jobId, CancellationToken.None);
    }

    private async Task<JobDetailsView?> GetDetailsAsync(long jobId)
    {
        await using var db = Database.CreateContext();
        return await new JobReadModel(db).GetDetailsAsync(jobId, CancellationToken.None);
    }

    private async Task<JobDetailsView?> GetPageAsync(long jobId, int maxImages)
    {
        await using var db = Database.CreateContext();
        return await new JobReadModel(db).GetPageAsync(jobId, maxImages, CancellationToken.None);
    }

    /// <summary>
    /// Runs the pending images through the real queue: each settled image fails with the error
    /// <paramref name="errorFor"/> gives it, or succeeds at 640+n × 480 (n its place in claim order).
    /// Images <paramref name="settle"/> refuses stay claimed.
    /// </summary>
    private async Task ProcessAsync(Func<ClaimedImage, string?> errorFor, Func<ClaimedImage, bool>? settle = null)
    {
        var queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions(), new FakeTimeProvider(ProcessedAt), TestTelemetry.Lifecycle, TestTelemetry.Instruments);
        var claimed = (await queue.ClaimAsync("worker", 10_000, CancellationToken.None)).OrderBy(c => c.ImageId).ToList();
        var outcomes = claimed
            .Select((image, n) => (image, n))
            .Where(x => settle?.Invoke(x.image) ?? true)
            .Select(x => errorFor(x.image) is { } error
                ? ImageOutcome.Failed(x.image, error)
                : ImageOutcome.Succeeded(x.image, new ImageSize(640 + x.n, 480)))
            .ToList();
        await queue.RecordOutcomesAsync("worker", outcomes, CancellationToken.None);
    }
}
