using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Queue;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class QueueReadModelTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    [Test]
    public async Task CountAsync_WhenTheQueueIsEmpty_CountsNothingAndNoOldestJob()
    {
        using var model = new QueueReadModel(Database.Factory, Clock);

        var counts = await model.CountAsync(CancellationToken.None);

        Assert.That(counts.PendingImages, Is.Zero);
        Assert.That(counts.ProcessingImages, Is.Zero);
        Assert.That(counts.OldestPendingSince, Is.Null);
        Assert.That(counts.CountedAt, Is.EqualTo(Start));
    }

    [Test]
    public async Task CountAsync_WhenImagesArePendingLeasedAndSettled_CountsOnlyThoseNotSettledByState()
    {
        var older = await Database.SaveJobAsync(NewJob([Visit("S1", 3)], submittedAt: Start.AddMinutes(-10)));
        await Database.SaveJobAsync(NewJob([Visit("S2", 2), Visit("NOPE", 2)], unknownStores: ["NOPE"], submittedAt: Start.AddMinutes(-5)));
        var claimed = await ClaimAsync(max: 2);
        await RecordAsync("worker-a", Success(claimed[0]));
        using var model = new QueueReadModel(Database.Factory, Clock);

        var counts = await model.CountAsync(CancellationToken.None);

        // 7 images: 2 unknown-store failures settled at submit, 1 succeeded, 1 leased, 3 pending.
        Assert.That(counts.PendingImages, Is.EqualTo(3));
        Assert.That(counts.ProcessingImages, Is.EqualTo(1));
        Assert.That(counts.OldestPendingSince, Is.EqualTo(older.CreatedAt));
    }

    [Test]
    public async Task CountAsync_WhenTheOldestJobHasNoPendingImageLeft_NamesTheNextJobThatHas()
    {
        await Database.SaveJobAsync(NewJob([Visit("S1", 1)], submittedAt: Start.AddMinutes(-10)));
        var newer = await Database.SaveJobAsync(NewJob([Visit("S2", 3)], submittedAt: Start.AddMinutes(-5)));
        await ClaimAsync(max: 2);
        using var model = new QueueReadModel(Database.Factory, Clock);

        var counts = await model.CountAsync(CancellationToken.None);

        // The claim took position 0 of both jobs: the first job is all leased, the second still waits.
        Assert.That(counts.PendingImages, Is.EqualTo(2));
        Assert.That(counts.ProcessingImages, Is.EqualTo(2));
        Assert.That(counts.OldestPendingSince, Is.EqualTo(newer.CreatedAt));
    }

    [Test]
    public async Task CountAsync_WhenAskedAgainWithinTheCachePeriod_AnswersTheEarlierCount()
    {
        using var model = new QueueReadModel(Database.Factory, Clock);
        var first = await model.CountAsync(CancellationToken.None);
        await Database.SaveJobAsync(JobWithImages(4));
        Clock.Advance(QueueReadModel.CacheFor - TimeSpan.FromMilliseconds(1));

        var cached = await model.CountAsync(CancellationToken.None);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var recounted = await model.CountAsync(CancellationToken.None);

        Assert.That(cached, Is.SameAs(first));
        Assert.That(recounted.PendingImages, Is.EqualTo(4));
        Assert.That(recounted.CountedAt, Is.EqualTo(Start + QueueReadModel.CacheFor));
    }
}
