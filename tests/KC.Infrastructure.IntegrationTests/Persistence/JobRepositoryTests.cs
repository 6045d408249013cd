using KC.Domain.Jobs;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Persistence;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class JobRepositoryTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    [Test]
    public async Task SaveChangesAsync_WhenJobIsNew_AssignsPositiveId()
    {
        var job = JobWithImages(2);

        await Database.SaveJobAsync(job);

        Assert.That(job.Id, Is.GreaterThan(0));
        Assert.That((await Database.ReadJobAsync(job.Id)).TotalImages, Is.EqualTo(2));
    }

    [Test]
    public async Task SaveChangesAsync_WhenSeveralJobsAreAdded_AssignsEachItsOwnId()
    {
        var first = JobWithImages(1);
        var second = JobWithImages(3);

        await Database.SaveJobsAsync(first, second);

        Assert.That(first.Id, Is.GreaterThan(0));
        Assert.That(second.Id, Is.GreaterThan(first.Id));
        Assert.That((await Database.ReadImagesAsync(first.Id)).Count, Is.EqualTo(1));
        Assert.That((await Database.ReadImagesAsync(second.Id)).Count, Is.EqualTo(3));
    }

    [Test]
    public async Task SaveChangesAsync_WhenJobHasSeveralVisits_InsertsEveryVisitInOrder()
    {
        var laterTime = new DateTimeOffset(2025, 3, 11, 17, 30, 0, TimeSpan.FromHours(5.5));
        var job = NewJob([Visit("S1", 2), Visit("S2", 3, visitTime: laterTime), Visit("S3", 1)]);

        await Database.SaveJobAsync(job);

        var visits = await Database.ReadVisitsAsync(job.Id);
        Assert.That(visits.Select(v => v.StoreId), Is.EqualTo(new[] { "S1", "S2", "S3" }));
        Assert.That(visits.Select(v => v.VisitTime), Is.EqualTo(new[] { VisitTime, laterTime, VisitTime }));
        Assert.That(visits.Select(v => v.StoreKnown), Is.All.True);
        Assert.That(visits.Select(v => v.JobId), Is.All.EqualTo(job.Id));
    }

    [Test]
    public async Task SaveChangesAsync_WhenJobHasSeveralVisits_InsertsEveryImageWithConsecutiveSeq()
    {
        var job = NewJob([Visit("S1", 2), Visit("S2", 3), Visit("S3", 1)]);

        await Database.SaveJobAsync(job);

        var visits = await Database.ReadVisitsAsync(job.Id);
        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(images.Select(i => i.Seq), Is.EqualTo(Enumerable.Range(0, 6)));
        Assert.That(images.Select(i => i.Url), Is.EqualTo(Urls("S1", 2).Concat(Urls("S2", 3)).Concat(Urls("S3", 1))));
        Assert.That(
            images.Select(i => i.VisitId),
            Is.EqualTo(new[] { visits[0].Id, visits[0].Id, visits[1].Id, visits[1].Id, visits[1].Id, visits[2].Id }));
        Assert.That(images.Select(i => i.JobId), Is.All.EqualTo(job.Id));
    }

    [Test]
    public async Task SaveChangesAsync_WhenStoreIsKnown_StoresImagesPendingAndUnleased()
    {
        var job = JobWithImages(3);

        await Database.SaveJobAsync(job);

        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(images, Has.Count.EqualTo(3));
        Assert.That(images, Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Pending && i.Attempts == 0 && i.Error == null && i.SettledAt == null
            && i.Width == null && i.Height == null && i.Perimeter == null
            && i.LeaseOwner == null && i.LeaseExpiresAt == null && i.NextAttemptAt == 0));
    }

    [Test]
    public async Task SaveChangesAsync_WhenJobIsSaved_StoresItsCountersAndStatus()
    {
        var job = NewJob([Visit("S1", 4), Visit("S2", 1)]);

        await Database.SaveJobAsync(job);

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(stored.TotalImages, Is.EqualTo(5));
        Assert.That(stored.SucceededImages, Is.Zero);
        Assert.That(stored.FailedImages, Is.Zero);
        Assert.That(stored.CreatedAt, Is.EqualTo(Now));
        Assert.That(stored.CompletedAt, Is.Null);
    }

    [Test]
    public async Task SaveChangesAsync_WhenStoreIsUnknown_StoresItsImagesFailedWithUnknownStoreError()
    {
        var job = NewJob([Visit("S1", 2), Visit("NOPE", 3)], unknownStores: ["NOPE"]);

        await Database.SaveJobAsync(job);

        var visits = await Database.ReadVisitsAsync(job.Id);
        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(visits.Select(v => v.StoreKnown), Is.EqualTo(new[] { true, false }));
        var unknown = images.Where(i => i.VisitId == visits[1].Id).ToList();
        Assert.That(unknown, Has.Count.EqualTo(3));
        Assert.That(unknown, Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Failed && i.Error == Job.UnknownStoreError && i.SettledAt == Now && i.Attempts == 0));
        Assert.That(images.Where(i => i.VisitId == visits[0].Id), Has.All.Matches<ImageRow>(i => i.State == ImageState.Pending && i.Error == null));
    }

    [Test]
    public async Task SaveChangesAsync_WhenStoreIsUnknown_CountsItsImagesFailedAndKeepsJobOngoing()
    {
        var job = NewJob([Visit("S1", 2), Visit("NOPE", 3)], unknownStores: ["NOPE"]);

        await Database.SaveJobAsync(job);

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That((stored.TotalImages, stored.SucceededImages, stored.FailedImages), Is.EqualTo((5, 0, 3)));
        Assert.That(stored.CompletedAt, Is.Null);
    }

    [Test]
    public async Task SaveChangesAsync_WhenEveryStoreIsUnknown_StoresJobFailedWithCompletedAt()
    {
        var job = NewJob([Visit("NOPE", 2)], unknownStores: ["NOPE"]);

        await Database.SaveJobAsync(job);

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That((stored.TotalImages, stored.SucceededImages, stored.FailedImages), Is.EqualTo((2, 0, 2)));
        Assert.That(stored.CompletedAt, Is.EqualTo(Now));
    }

    [Test]
    public async Task SaveChangesAsync_WhenJobHasMoreImagesThanOneInsertChunk_StoresAllInOrder()
    {
        // 2,500 images is three multi-row statements of at most 1,000; the visits cross the chunk borders.
        var job = NewJob([Visit("S1", 900), Visit("S2", 1_250), Visit("S3", 350)]);
        var expectedUrls = Urls("S1", 900).Concat(Urls("S2", 1_250)).Concat(Urls("S3", 350)).ToList();

        await Database.SaveJobAsync(job);

        var visits = await Database.ReadVisitsAsync(job.Id);
        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(images, Has.Count.EqualTo(2_500));
        Assert.That(images.Select(i => i.Seq), Is.EqualTo(Enumerable.Range(0, 2_500)));
        Assert.That(images.Select(i => i.Url), Is.EqualTo(expectedUrls));
        Assert.That(images.GroupBy(i => i.VisitId).Select(g => (g.Key, g.Count())), Is.EquivalentTo(new[]
        {
            (visits[0].Id, 900), (visits[1].Id, 1_250), (visits[2].Id, 350),
        }));
        Assert.That((await Database.ReadJobAsync(job.Id)).TotalImages, Is.EqualTo(2_500));
    }

    [Test]
    public async Task SaveChangesAsync_WhenUnknownStoreImagesCrossAChunk_StoresEveryOneFailed()
    {
        var job = NewJob([Visit("S1", 600), Visit("NOPE", 900)], unknownStores: ["NOPE"]);

        await Database.SaveJobAsync(job);

        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(images.Count(i => i.State == ImageState.Failed && i.Error == Job.UnknownStoreError), Is.EqualTo(900));
        Assert.That(images.Where(i => i.Seq >= 600).Select(i => i.State), Is.All.EqualTo(ImageState.Failed));
    }

    [Test]
    public async Task SaveChangesAsync_WhenUrlHasQuotesAndUnicode_RoundTripsExactly()
    {
        string[] urls =
        [
            "https://images.example.com/it's/a \"quoted\" name.jpg?q='x'&r=\"y\"",
            "https://images.example.com/ünïcødé/日本語/🛒.jpg",
            "https://images.example.com/x.jpg?name=');DROP TABLE images;--",
            "https://bücher.example/%E2%82%AC/a%20b.png",
        ];
        var job = NewJob([Visit("S1", urls: urls)]);

        await Database.SaveJobAsync(job);

        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(images.Select(i => i.Url), Is.EqualTo(urls));
    }
}
