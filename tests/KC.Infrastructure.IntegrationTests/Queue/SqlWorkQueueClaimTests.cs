using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Queue;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SqlWorkQueueClaimTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    [Test]
    public async Task ClaimAsync_WhenQueueIsEmpty_ReturnsNothing()
    {
        var claimed = await ClaimAsync();

        Assert.That(claimed, Is.Empty);
    }

    [Test]
    public async Task ClaimAsync_WhenMoreImagesArePendingThanMax_ClaimsExactlyMax()
    {
        await Database.SaveJobAsync(JobWithImages(10));

        var claimed = await ClaimAsync(max: 4);

        Assert.That(claimed, Has.Count.EqualTo(4));
        Assert.That(claimed.Select(c => c.ImageId), Is.Unique);
        Assert.That((await Database.ReadImagesAsync()).Count(i => i.State == ImageState.Processing), Is.EqualTo(4));
    }

    [Test]
    public async Task ClaimAsync_WhenFewerImagesArePendingThanMax_ClaimsAllOfThem()
    {
        await Database.SaveJobAsync(JobWithImages(3));

        var claimed = await ClaimAsync(max: 50);

        Assert.That(claimed, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task ClaimAsync_WhenImageIsClaimed_MarksItProcessingWithLeaseOwnerAndExpiryWithoutCountingAnAttempt()
    {
        await Database.SaveJobAsync(JobWithImages(2));

        var claimed = await ClaimAsync("worker-a", max: 2);

        var images = await Database.ReadImagesAsync();
        Assert.That(images, Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Processing
            && i.LeaseOwner == "worker-a"
            && i.LeaseExpiresAt == LeaseExpiry(Start)
            && i.Attempts == 0
            && i.LastError == null));
        Assert.That(claimed.Select(c => c.PriorAttempts), Is.All.Zero);
    }

    [Test]
    public async Task ClaimAsync_WhenImageHasAttemptsFromAnEarlierClaim_ReturnsThemAsPriorAttemptsAndLeavesThemUnchanged()
    {
        var job = await Database.SaveJobAsync(JobWithImages(2));
        var images = await Database.ReadImagesAsync(job.Id);
        await Database.SetAttemptsAsync(images[0].Id, 3, "HTTP 503");

        var claimed = await ClaimAsync("worker-a");

        Assert.That(claimed.ToDictionary(c => c.ImageId, c => c.PriorAttempts), Is.EquivalentTo(new Dictionary<long, int>
        {
            [images[0].Id] = 3,
            [images[1].Id] = 0,
        }));
        var stored = await Database.ReadImageAsync(images[0].Id);
        Assert.That((stored.Attempts, stored.LastError), Is.EqualTo((3, (string?)"HTTP 503")));
    }

    [Test]
    public async Task ClaimAsync_WhenImageIsClaimed_ReturnsItsIdsAndUrl()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 1)]));
        var visit = (await Database.ReadVisitsAsync(job.Id)).Single();
        var image = (await Database.ReadImagesAsync(job.Id)).Single();

        var claimed = await ClaimAsync();

        Assert.That(claimed, Is.EqualTo(new[] { new ClaimedImage(image.Id, job.Id, visit.Id, Urls("S1")[0], PriorAttempts: 0) }));
    }

    [Test]
    public async Task ClaimAsync_WhenBigJobIsAheadOfSmallJob_ClaimsBothByPositionThenJob()
    {
        var jobA = await Database.SaveJobAsync(JobWithImages(50, "S-A"));
        var jobB = await Database.SaveJobAsync(JobWithImages(3, "S-B"));

        var claimed = await ClaimAsync(max: 6);

        Assert.That(await PositionsAsync(claimed), Is.EquivalentTo(new[]
        {
            (jobA.Id, 0), (jobB.Id, 0), (jobA.Id, 1), (jobB.Id, 1), (jobA.Id, 2), (jobB.Id, 2),
        }));
    }

    [Test]
    public async Task ClaimAsync_WhenBigJobIsAheadOfSmallJob_ReturnsFairestFirst()
    {
        // IWorkQueue.ClaimAsync promises the claimed images "fairest first", and the engine starts
        // them in the order returned; SQLite's RETURNING order is arbitrary (in practice rowid order).
        var jobA = await Database.SaveJobAsync(JobWithImages(50, "S-A"));
        var jobB = await Database.SaveJobAsync(JobWithImages(3, "S-B"));

        var claimed = await ClaimAsync(max: 6);

        Assert.That(
            await PositionsAsync(claimed),
            Is.EqualTo(new[] { (jobA.Id, 0), (jobB.Id, 0), (jobA.Id, 1), (jobB.Id, 1), (jobA.Id, 2), (jobB.Id, 2) }),
            "claimed images must come back ordered by seq, then job id");
    }

    [Test]
    public async Task ClaimAsync_WhenSmallJobIsExhausted_ContinuesWithTheBigJob()
    {
        var jobA = await Database.SaveJobAsync(JobWithImages(50, "S-A"));
        await Database.SaveJobAsync(JobWithImages(3, "S-B"));
        await ClaimAsync(max: 6);

        var claimed = await ClaimAsync(max: 2);

        Assert.That(await PositionsAsync(claimed), Is.EquivalentTo(new[] { (jobA.Id, 3), (jobA.Id, 4) }));
    }

    [Test]
    public async Task ClaimAsync_WhenImagesHaveSettled_NeverClaimsThem()
    {
        var job = await Database.SaveJobAsync(JobWithImages(4));
        var first = await ClaimAsync(max: 2);
        await RecordAsync("worker-a", Success(first[0]), Failure(first[1]));

        var claimed = await ClaimAsync("worker-b", max: 10);

        var settledIds = first.Select(c => c.ImageId).ToList();
        Assert.That(claimed, Has.Count.EqualTo(2));
        Assert.That(claimed.Select(c => c.ImageId).Intersect(settledIds), Is.Empty);
        Assert.That((await Database.ReadImagesAsync(job.Id)).Where(i => settledIds.Contains(i.Id)).Select(i => i.LeaseOwner), Is.All.Null);
    }

    [Test]
    public async Task ClaimAsync_WhenStoreIsUnknown_NeverClaimsItsImages()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("NOPE", 3), Visit("S1", 2)], unknownStores: ["NOPE"]));
        var known = (await Database.ReadVisitsAsync(job.Id)).Single(v => v.StoreKnown);

        var claimed = await ClaimAsync(max: 10);

        Assert.That(claimed, Has.Count.EqualTo(2));
        Assert.That(claimed.Select(c => c.VisitId), Is.All.EqualTo(known.Id));
        Assert.That(
            (await Database.ReadImagesAsync(job.Id)).Where(i => i.VisitId != known.Id),
            Has.All.Matches<ImageRow>(i => i.State == ImageState.Failed && i.LeaseOwner == null && i.Attempts == 0));
    }

    [Test]
    public async Task ClaimAsync_WhenJobFailedAtSubmit_ClaimsNothing()
    {
        await Database.SaveJobAsync(NewJob([Visit("NOPE", 3)], unknownStores: ["NOPE"]));

        var claimed = await ClaimAsync(max: 10);

        Assert.That(claimed, Is.Empty);
    }

    [Test]
    public async Task ClaimAsync_WhenImagesAreLeasedByAnotherOwner_DoesNotClaimThem()
    {
        await Database.SaveJobAsync(JobWithImages(5));
        var first = await ClaimAsync("worker-a", max: 3);

        var second = await ClaimAsync("worker-b", max: 10);

        Assert.That(second, Has.Count.EqualTo(2));
        Assert.That(second.Select(c => c.ImageId).Intersect(first.Select(c => c.ImageId)), Is.Empty);
        var images = await Database.ReadImagesAsync();
        Assert.That(images.Count(i => i.LeaseOwner == "worker-a"), Is.EqualTo(3));
        Assert.That(images.Count(i => i.LeaseOwner == "worker-b"), Is.EqualTo(2));
        Assert.That(images.Select(i => i.Attempts), Is.All.Zero, "claiming is not a download attempt");
    }

    [Test]
    public async Task ClaimAsync_WhenEveryImageIsLeased_ReturnsNothing()
    {
        await Database.SaveJobAsync(JobWithImages(3));
        await ClaimAsync("worker-a", max: 3);

        var claimed = await ClaimAsync("worker-b", max: 3);

        Assert.That(claimed, Is.Empty);
    }

    [Test]
    public async Task ClaimAsync_WhenManyOwnersClaimConcurrently_NeverHandsOutAnImageTwice()
    {
        await Database.SaveJobsAsync(JobWithImages(300, "S1"), JobWithImages(200, "S2"), JobWithImages(40, "S3"));
        var owners = Enumerable.Range(0, 8).Select(i => $"worker-{i}").ToList();

        // 8 owners × 12 claims × 7 images asks for more than the 540 pending, so the claims compete for the last ones.
        var results = await Task.WhenAll(owners.SelectMany(owner => Enumerable.Range(0, 12).Select(_ =>
            Task.Run(async () => (Owner: owner, Claimed: await Queue.ClaimAsync(owner, 7, CancellationToken.None))))));

        var all = results.SelectMany(r => r.Claimed.Select(c => (r.Owner, c.ImageId))).ToList();
        Assert.That(all.Select(a => a.ImageId), Is.Unique);
        Assert.That(all, Has.Count.EqualTo(540));
        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(all.Where(a => images[a.ImageId].LeaseOwner != a.Owner), Is.Empty, "each image is leased to the owner it was handed to");
        Assert.That(images.Values, Has.All.Matches<ImageRow>(i => i.State == ImageState.Processing && i.Attempts == 0));
    }
}
