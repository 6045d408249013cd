using KC.Application.Processing;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using KC.TestSupport;

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

    [Test]
    public async Task Beat_WhenAnotherRunHasTakenTheIdOver_LeavesItsRowAloneAndStopsTheServiceWithAFailure()
    {
        var lifetime = new RecordingLifetime();
        var heartbeat = Heartbeat("node-a", lifetime: lifetime);
        await heartbeat.StartAsync(CancellationToken.None);
        await TakeOverAsync("node-a", runId: "00000000000000f2", heartbeatAt: 1);
        var exitCode = Environment.ExitCode;
        try
        {
            var stopped = await Task.WhenAny(lifetime.Stopping, Task.Delay(TimeSpan.FromSeconds(30)));
            await heartbeat.StopAsync(CancellationToken.None);

            Assert.That(stopped, Is.SameAs(lifetime.Stopping), "the superseded process stops its service");
            Assert.That(Environment.ExitCode, Is.EqualTo(1), "and exits with a failure");
            var row = await ReadNodeAsync("node-a");
            Assert.That((row.RunId, row.HeartbeatAt, row.StoppedAt), Is.EqualTo(((string?)"00000000000000f2", 1L, (long?)null)), "the new holder's row is not beaten nor marked stopped");
        }
        finally
        {
            Environment.ExitCode = exitCode;
        }
    }

    private NodeHeartbeat Heartbeat(string id, NodeRole role = NodeRole.All, RecordingLifetime? lifetime = null)
    {
        var node = new NodeIdentity(id, role);
        var registration = new NodeRegistration(
            Database.Factory, node, Options, new SqlWorkQueue(Database.Factory, Options, TimeProvider.System, TestTelemetry.Lifecycle, TestTelemetry.Instruments), TimeProvider.System, NullLogger<NodeRegistration>.Instance);
        return new(Database.Factory, registration, node, Options, lifetime ?? new RecordingLifetime(), TimeProvider.System, NullLogger<NodeHeartbeat>.Instance);
    }

    /// <summary>Another process's registration of the id, as if it had found this run dead.</summary>
    private async Task TakeOverAsync(string id, string runId, long heartbeatAt)
    {
        await using var db = Database.CreateContext();
        await db.Database.ExecuteSqlAsync($"UPDATE nodes SET run_id = {runId}, host_name = {"other-host"}, process_id = {4242}, heartbeat_at = {heartbeatAt} WHERE id = {id}");
    }

    private async Task<NodeRecord> ReadNodeAsync(string id)
    {
        await using var db = Database.CreateContext();
        return await db.Nodes.AsNoTracking().SingleAsync(n => n.Id == id);
    }
}
