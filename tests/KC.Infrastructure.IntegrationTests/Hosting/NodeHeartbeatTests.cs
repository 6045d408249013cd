using KC.Application.Processing;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace KC.Infrastructure.IntegrationTests.Hosting;

/// <summary>The node rows over a real database, on the real clock: heartbeats are timers.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class NodeHeartbeatTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    // The shortest lease allowed: a beat every second.
    private static readonly ProcessingOptions Options = new() { LeaseSeconds = 3 };

    [Test]
    public async Task StartAsync_RegistersTheNodeWithItsRoleAndKeepsItsCountOfOutcomesAcrossRestarts()
    {
        await using (var db = Database.CreateContext())
        {
            db.Nodes.Add(new NodeRecord { Id = "node-a", Role = "all", StartedAt = 1, HeartbeatAt = 1, StoppedAt = 5, ImagesSettled = 42 });
            await db.SaveChangesAsync();
        }

        var heartbeat = Heartbeat("node-a", NodeRole.Worker);
        await heartbeat.StartAsync(CancellationToken.None);
        var node = await ReadNodeAsync("node-a");
        await heartbeat.StopAsync(CancellationToken.None);

        Assert.That((node.Role, node.StoppedAt, node.ImagesSettled), Is.EqualTo(("worker", (long?)null, 42L)));
        Assert.That(node.HeartbeatAt, Is.GreaterThan(1));
    }

    [Test]
    public async Task StopAsync_MarksTheNodeStopped()
    {
        var heartbeat = Heartbeat("node-a");
        await heartbeat.StartAsync(CancellationToken.None);

        await heartbeat.StopAsync(CancellationToken.None);

        Assert.That((await ReadNodeAsync("node-a")).StoppedAt, Is.Not.Null);
    }

    [Test]
    public async Task Beat_WhenAnotherNodeHasNotBeatenForALeasePeriod_MarksItLostAndLeavesLiveAndStoppedNodesAlone()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var db = Database.CreateContext())
        {
            db.Nodes.AddRange(
                new NodeRecord { Id = "dead", Role = "worker", StartedAt = now - 60_000, HeartbeatAt = now - 10_000 },
                new NodeRecord { Id = "stopped", Role = "worker", StartedAt = now - 60_000, HeartbeatAt = now - 10_000, StoppedAt = now - 10_000 },
                new NodeRecord { Id = "alive", Role = "worker", StartedAt = now - 60_000, HeartbeatAt = now + 60_000 });
            await db.SaveChangesAsync();
        }

        var heartbeat = Heartbeat("node-a");
        await heartbeat.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await ReadNodeAsync("dead")).LostAt is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await heartbeat.StopAsync(CancellationToken.None);

        Assert.That((await ReadNodeAsync("dead")).LostAt, Is.Not.Null, "the dead node is marked lost");
        Assert.That((await ReadNodeAsync("stopped")).LostAt, Is.Null, "a graceful stop is not a loss");
        Assert.That((await ReadNodeAsync("alive")).LostAt, Is.Null);
    }

    private NodeHeartbeat Heartbeat(string id, NodeRole role = NodeRole.All) =>
        new(Database.Factory, new NodeIdentity(id, role), Options, TimeProvider.System, NullLogger<NodeHeartbeat>.Instance);

    private async Task<NodeRecord> ReadNodeAsync(string id)
    {
        await using var db = Database.CreateContext();
        return await db.Nodes.AsNoTracking().SingleAsync(n => n.Id == id);
    }
}
