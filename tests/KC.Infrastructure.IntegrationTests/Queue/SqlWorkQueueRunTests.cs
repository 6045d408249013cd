using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Queue;

/// <summary>
/// Leases are held by a run of a node, not by its id: two processes that were given the same
/// <c>Node:Id</c> never renew, release or settle each other's images, and outcomes are still
/// attributed to the node.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SqlWorkQueueRunTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    private static readonly string First = NodeIdentity.LeaseOwnerOf("node-a", "00000000000000a1");
    private static readonly string Second = NodeIdentity.LeaseOwnerOf("node-a", "00000000000000a2");

    [Test]
    public async Task RenewLeasesAsync_WhenAnotherRunOfTheSameNodeHoldsLeases_RenewsOnlyItsOwn()
    {
        await Database.SaveJobAsync(JobWithImages(4));
        var mine = await ClaimAsync(First, max: 2);
        var theirs = await ClaimAsync(Second, max: 2);
        Clock.Advance(TimeSpan.FromSeconds(10));

        var renewed = await Queue.RenewLeasesAsync(First, CancellationToken.None);

        Assert.That(renewed, Is.EqualTo(2));
        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(theirs.Select(c => images[c.ImageId].LeaseExpiresAt), Is.All.EqualTo(LeaseExpiry(Start)), "the other run's leases lapse on their own clock");
        Assert.That(mine.Select(c => images[c.ImageId].LeaseExpiresAt), Is.All.EqualTo(LeaseExpiry(Start.AddSeconds(10))));
    }

    [Test]
    public async Task ReleaseLeasesAsync_WhenAnotherRunOfTheSameNodeHoldsLeases_LeavesThemLeased()
    {
        await Database.SaveJobAsync(JobWithImages(4));
        await ClaimAsync(First, max: 2);
        var theirs = await ClaimAsync(Second, max: 2);

        var released = await Queue.ReleaseLeasesAsync(First, LeaseRelease.EarlierRunDied, CancellationToken.None);

        Assert.That(released, Is.EqualTo(2));
        var images = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        Assert.That(theirs.Select(c => (images[c.ImageId].State, images[c.ImageId].LeaseOwner)), Is.All.EqualTo((ImageState.Processing, (string?)Second)));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenTheImageIsLeasedToAnotherRunOfTheSameNode_IgnoresTheOutcome()
    {
        await Database.SaveJobAsync(JobWithImages(1));
        var claimed = await ClaimAsync(Second);

        await RecordAsync(First, Success(claimed[0]));

        var image = await Database.ReadImageAsync(claimed[0].ImageId);
        Assert.That((image.State, image.LeaseOwner), Is.EqualTo((ImageState.Processing, (string?)Second)));
    }

    [Test]
    public async Task RecordOutcomesAsync_RecordsTheNodeAsSettlerAndCountsTheOutcomeOnItsRow()
    {
        await using (var db = Database.CreateContext())
        {
            db.Nodes.Add(new NodeRecord { Id = "node-a", Role = "all", RunId = "00000000000000a1", StartedAt = 1, HeartbeatAt = 1 });
            await db.SaveChangesAsync();
        }

        await Database.SaveJobAsync(JobWithImages(2));
        var claimed = await ClaimAsync(First);

        await RecordAsync(First, Success(claimed[0]), Failure(claimed[1]));

        await using var read = Database.CreateContext();
        var settledBy = await read.Images.AsNoTracking().Select(i => EF.Property<string?>(i, "settled_by")).ToListAsync();
        Assert.That(settledBy, Is.All.EqualTo("node-a"));
        Assert.That((await read.Nodes.AsNoTracking().SingleAsync()).ImagesSettled, Is.EqualTo(2));
    }
}
