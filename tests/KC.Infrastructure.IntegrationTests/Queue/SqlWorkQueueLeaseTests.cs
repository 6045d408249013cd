using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Queue;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SqlWorkQueueLeaseTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    [Test]
    public async Task RenewLeasesAsync_WhenOwnerHoldsLeases_ExtendsOnlyThatOwnersLeases()
    {
        await Database.SaveJobAsync(JobWithImages(4));
        var mine = await ClaimAsync("worker-a", max: 2);
        var theirs = await ClaimAsync("worker-b", max: 2);
        Clock.Advance(TimeSpan.FromSeconds(10));

        var renewed = await Queue.RenewLeasesAsync("worker-a", CancellationToken.None);

        Assert.That(renewed, Is.EqualTo(2));
        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(mine.Select(c => images[c.ImageId].LeaseExpiresAt), Is.All.EqualTo(LeaseExpiry(Start.AddSeconds(10))));
        Assert.That(theirs.Select(c => images[c.ImageId].LeaseExpiresAt), Is.All.EqualTo(LeaseExpiry(Start)));
    }

    [Test]
    public async Task RenewLeasesAsync_WhenOwnerHasSettledImages_LeavesThemSettled()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Success(claimed[0]));

        var renewed = await Queue.RenewLeasesAsync("worker-a", CancellationToken.None);

        Assert.That(renewed, Is.EqualTo(1));
        var settled = await Database.ReadImageAsync(claimed[0].ImageId);
        Assert.That((settled.State, settled.LeaseExpiresAt), Is.EqualTo((ImageState.Succeeded, (long?)null)));
    }

    [Test]
    public async Task RenewLeasesAsync_WhenLeaseWasRenewed_SurvivesReclaimPastItsFirstExpiry()
    {
        await Database.SaveJobAsync(JobWithImages(1));
        await ClaimAsync("worker-a");
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds - 1));
        await Queue.RenewLeasesAsync("worker-a", CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(2));

        var reclaimed = await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);

        Assert.That(reclaimed, Is.Zero);
        Assert.That((await Database.ReadImagesAsync()).Single().LeaseOwner, Is.EqualTo("worker-a"));
    }

    [Test]
    public async Task RenewLeasesAsync_WhenOwnerHoldsNothing_ReturnsZero()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        await ClaimAsync("worker-a");

        var renewed = await Queue.RenewLeasesAsync("worker-b", CancellationToken.None);

        Assert.That(renewed, Is.Zero);
    }

    [Test]
    public async Task ReleaseLeasesAsync_WhenOwnerHoldsUnsettledImages_ReturnsThemToPending()
    {
        await Database.SaveJobAsync(JobWithImages(3));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Success(claimed[0]));

        var released = await Queue.ReleaseLeasesAsync("worker-a", LeaseRelease.GracefulStop, CancellationToken.None);

        Assert.That(released, Is.EqualTo(2));
        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(claimed.Skip(1).Select(c => images[c.ImageId]), Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Pending && i.LeaseOwner == null && i.LeaseExpiresAt == null && i.Attempts == 0));
        Assert.That(images[claimed[0].ImageId].State, Is.EqualTo(ImageState.Succeeded));
        Assert.That(images[claimed[0].ImageId].Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task ReleaseLeasesAsync_WhenImageHadAttemptsBeforeTheClaim_LeavesThemUnchanged()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));
        var image = (await Database.ReadImagesAsync(job.Id)).Single();
        await Database.SetAttemptsAsync(image.Id, 2, "HTTP 502");
        await ClaimAsync("worker-a");

        await Queue.ReleaseLeasesAsync("worker-a", LeaseRelease.GracefulStop, CancellationToken.None);

        var released = await Database.ReadImageAsync(image.Id);
        Assert.That(released.State, Is.EqualTo(ImageState.Pending));
        Assert.That((released.Attempts, released.LastError), Is.EqualTo((2, (string?)"HTTP 502")), "a release is not an attempt, nor does it take one back");
    }

    [Test]
    public async Task ReleaseLeasesAsync_WhenOthersHoldLeases_LeavesThemAlone()
    {
        await Database.SaveJobAsync(JobWithImages(4));
        await ClaimAsync("worker-a", max: 2);
        var theirs = await ClaimAsync("worker-b", max: 2);

        await Queue.ReleaseLeasesAsync("worker-a", LeaseRelease.GracefulStop, CancellationToken.None);

        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(theirs.Select(c => images[c.ImageId]), Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Processing && i.LeaseOwner == "worker-b" && i.LeaseExpiresAt == LeaseExpiry(Start) && i.Attempts == 0));
    }

    [Test]
    public async Task ReleaseLeasesAsync_WhenImagesWereReleased_TheyCanBeClaimedAgain()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        var first = await ClaimAsync("worker-a");
        await Queue.ReleaseLeasesAsync("worker-a", LeaseRelease.GracefulStop, CancellationToken.None);

        var again = await ClaimAsync("worker-b");

        Assert.That(again.Select(c => c.ImageId), Is.EquivalentTo(first.Select(c => c.ImageId)));
        Assert.That(again.Select(c => c.PriorAttempts), Is.All.Zero);
        Assert.That((await Database.ReadImagesAsync()).Select(i => i.Attempts), Is.All.Zero);
    }

    [Test]
    public async Task ClaimAsync_CountsEveryClaimThatEndedWithoutAnOutcome_ButNotAGracefulRelease()
    {
        await Database.SaveJobAsync(JobWithImages(1));

        var first = await ClaimAsync("worker-a");
        await Queue.ReleaseLeasesAsync("worker-a", LeaseRelease.EarlierRunDied, CancellationToken.None);
        var afterDeath = await ClaimAsync("worker-a");
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds + 1));
        await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);
        var afterLapse = await ClaimAsync("worker-b");
        await Queue.ReleaseLeasesAsync("worker-b", LeaseRelease.GracefulStop, CancellationToken.None);
        var afterGracefulStop = await ClaimAsync("worker-c");

        Assert.That(
            new[] { first, afterDeath, afterLapse, afterGracefulStop }.Select(c => c.Single().Claims),
            Is.EqualTo(new[] { 1, 2, 3, 3 }));
    }

    [Test]
    public async Task ReclaimExpiredLeasesAsync_WhenLeaseLapsed_ReturnsImagesToPendingAndLeavesLiveLeases()
    {
        await Database.SaveJobAsync(JobWithImages(4));
        var lapsed = await ClaimAsync("worker-a", max: 2);
        Clock.Advance(TimeSpan.FromSeconds(20));
        var live = await ClaimAsync("worker-b", max: 2);
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds - 20 + 1));

        var reclaimed = await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);

        Assert.That(reclaimed, Is.EqualTo(2));
        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(lapsed.Select(c => images[c.ImageId]), Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Pending && i.LeaseOwner == null && i.LeaseExpiresAt == null));
        Assert.That(live.Select(c => images[c.ImageId]), Has.All.Matches<ImageRow>(i =>
            i.State == ImageState.Processing && i.LeaseOwner == "worker-b"));
    }

    [Test]
    public async Task ReclaimExpiredLeasesAsync_WhenLeaseHasNotLapsed_ReclaimsNothing()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        await ClaimAsync("worker-a");
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds - 1));

        var reclaimed = await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);

        Assert.That(reclaimed, Is.Zero);
        Assert.That((await Database.ReadImagesAsync()).Select(i => i.State), Is.All.EqualTo(ImageState.Processing));
    }

    [Test]
    public async Task ReclaimExpiredLeasesAsync_WhenImagesWereReclaimed_TheyCanBeClaimedAgainWithoutCountingTheLapsedClaim()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        var first = await ClaimAsync("worker-a");
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds + 1));
        await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);

        var again = await ClaimAsync("worker-b");

        Assert.That(again.Select(c => c.ImageId), Is.EquivalentTo(first.Select(c => c.ImageId)));
        Assert.That(again.Select(c => c.PriorAttempts), Is.All.Zero, "attempts count downloads recorded, not claims");
        Assert.That((await Database.ReadImagesAsync()).Select(i => i.Attempts), Is.All.Zero);
    }

    [Test]
    public async Task ReclaimExpiredLeasesAsync_WhenImagesHaveSettled_LeavesThemSettled()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 1), Visit("NOPE", 1)], unknownStores: ["NOPE"]));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Success(claimed[0]));
        Clock.Advance(TimeSpan.FromHours(1));

        var reclaimed = await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);

        Assert.That(reclaimed, Is.Zero);
        Assert.That((await Database.ReadImagesAsync(job.Id)).Select(i => i.State), Is.EqualTo(new[] { ImageState.Succeeded, ImageState.Failed }));
    }
}
