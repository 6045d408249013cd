using System.Diagnostics;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Hosting;

/// <summary>
/// Registering a run of a node id over a real database: refused while a live node holds the id,
/// taken over (and the dead run's leases released at once) when the earlier run is known dead.
/// Other processes are rows written as they would write them; a live process of this host is a
/// real child process, a dead one an id no process can have.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class NodeRegistrationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string OtherHost = "other-host";
    private const string EarlierRun = "00000000000000e1";

    // Above any pid_max Linux allows (2^22): no process has it.
    private const int GoneProcess = 5_000_000;

    private static readonly ProcessingOptions Options = new() { LeaseSeconds = 30 };

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Test]
    public async Task RegisterAsync_WhenTheIdIsNew_RecordsThisRunWithItsHostAndProcess()
    {
        var node = new NodeIdentity("node-a", NodeRole.Worker);

        await RegisterAsync(node);

        var row = await ReadNodeAsync("node-a");
        Assert.That(
            (row.RunId, row.HostName, row.ProcessId, row.Role, row.StoppedAt, row.LostAt),
            Is.EqualTo(((string?)node.RunId, (string?)Environment.MachineName, (int?)Environment.ProcessId, "worker", (long?)null, (long?)null)));
    }

    [Test]
    public async Task RegisterAsync_WhenALiveNodeOnAnotherHostHoldsTheId_RefusesNamingTheSettingTheHolderAndWhatToDo()
    {
        var startedAt = NowMs - 60_000;
        await SeedNodeAsync("node-a", OtherHost, 4242, heartbeatAt: NowMs - 2_000, startedAt: startedAt);
        var leased = await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("node-a", EarlierRun), 2);

        var error = Assert.ThrowsAsync<NodeIdInUseException>(() => RegisterAsync(new NodeIdentity("node-a")));

        Assert.That(error!.Message, Does.StartWith("Node:Id 'node-a' is held by a live node: it started at "));
        Assert.That(error.Message, Does.Contain($"{DateTimeOffset.FromUnixTimeMilliseconds(startedAt).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} on host other-host (process 4242)"));
        Assert.That(error.Message, Does.Contain("Stop that process, or give this one another Node:Id"));
        Assert.That(error.Message, Does.Contain("30 s (Processing:LeaseSeconds) after its last heartbeat"));
        Assert.That((await ReadNodeAsync("node-a")).RunId, Is.EqualTo(EarlierRun), "the holder keeps its row");
        Assert.That(await OwnersAsync(leased), Is.All.EqualTo(NodeIdentity.LeaseOwnerOf("node-a", EarlierRun)), "and its leases");
    }

    [Test]
    public async Task RegisterAsync_WhenAProcessOfThisHostThatStillRunsHoldsTheId_Refuses()
    {
        using var holder = Process.Start("sleep", "60");
        try
        {
            await SeedNodeAsync("node-a", Environment.MachineName, holder.Id, heartbeatAt: NowMs);

            var error = Assert.ThrowsAsync<NodeIdInUseException>(() => RegisterAsync(new NodeIdentity("node-a")));

            Assert.That(error!.Message, Does.Contain($"on host {Environment.MachineName} (process {holder.Id})"));
        }
        finally
        {
            holder.Kill();
        }
    }

    [Test]
    public async Task RegisterAsync_WhenTheEarlierRunsProcessOnThisHostIsGone_TakesTheIdOverAndReleasesItsLeasesAtOnce()
    {
        await SeedNodeAsync("node-a", Environment.MachineName, GoneProcess, heartbeatAt: NowMs, imagesSettled: 7);
        var leased = await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("node-a", EarlierRun), 3);
        var node = new NodeIdentity("node-a");

        await RegisterAsync(node);

        var row = await ReadNodeAsync("node-a");
        Assert.That((row.RunId, row.ProcessId, row.ImagesSettled), Is.EqualTo(((string?)node.RunId, (int?)Environment.ProcessId, 7L)));
        var images = await ImagesAsync(leased);
        Assert.That(images.Select(i => (i.State, i.LeaseOwner)), Is.All.EqualTo((ImageState.Pending, (string?)null)), "released without waiting for the lease to lapse");
        Assert.That(await ClaimsAsync(leased), Is.All.EqualTo(1), "the dead run's claims still count against the images");
    }

    [Test]
    public async Task RegisterAsync_WhenTheEarlierRunHadThisProcessIdButWasNotThisProcess_TakesTheIdOver()
    {
        // A container restarted: the new process has the old one's id (1, usually) on the same host.
        await SeedNodeAsync("node-a", Environment.MachineName, Environment.ProcessId, heartbeatAt: NowMs);
        var leased = await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("node-a", EarlierRun), 1);
        var node = new NodeIdentity("node-a");

        await RegisterAsync(node);

        Assert.That((await ReadNodeAsync("node-a")).RunId, Is.EqualTo(node.RunId));
        Assert.That(await OwnersAsync(leased), Is.All.Null);
    }

    [Test]
    public async Task RegisterAsync_WhenAnotherNodeOfThisProcessHoldsTheId_Refuses()
    {
        await RegisterAsync(new NodeIdentity("node-a"));

        Assert.ThrowsAsync<NodeIdInUseException>(() => RegisterAsync(new NodeIdentity("node-a")));
    }

    [TestCase("stopped")]
    [TestCase("lost")]
    [TestCase("silent")]
    public async Task RegisterAsync_WhenTheEarlierRunOnAnotherHostIsKnownDead_TakesTheIdOverAndReleasesItsLeases(string how)
    {
        await SeedNodeAsync(
            "node-a",
            OtherHost,
            4242,
            heartbeatAt: how == "silent" ? NowMs - 31_000 : NowMs - 1_000,
            stoppedAt: how == "stopped" ? NowMs - 1_000 : null,
            lostAt: how == "lost" ? NowMs - 1_000 : null);
        var leased = await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("node-a", EarlierRun), 2);
        var node = new NodeIdentity("node-a");

        await RegisterAsync(node);

        var row = await ReadNodeAsync("node-a");
        Assert.That((row.RunId, row.StoppedAt, row.LostAt), Is.EqualTo(((string?)node.RunId, (long?)null, (long?)null)));
        Assert.That(await OwnersAsync(leased), Is.All.Null);
    }

    [Test]
    public async Task RegisterAsync_WhenARowOfAnEarlierVersionIsSilent_TakesItOverAndReleasesTheLeasesHeldUnderTheBareId()
    {
        await SeedNodeAsync("node-a", hostName: null, processId: null, heartbeatAt: NowMs - 60_000, runId: null);
        var leased = await LeaseImagesAsync("node-a", 2);

        await RegisterAsync(new NodeIdentity("node-a"));

        Assert.That(await OwnersAsync(leased), Is.All.Null);
    }

    [Test]
    public async Task RegisterAsync_WhenARowOfAnEarlierVersionIsAlive_RefusesSayingSo()
    {
        await SeedNodeAsync("node-a", hostName: null, processId: null, heartbeatAt: NowMs, runId: null);

        var error = Assert.ThrowsAsync<NodeIdInUseException>(() => RegisterAsync(new NodeIdentity("node-a")));

        Assert.That(error!.Message, Does.Contain("by a node of an earlier version"));
    }

    [Test]
    public async Task RegisterAsync_WhenTwoProcessesRegisterOneIdAtOnce_ExactlyOneWins()
    {
        for (var round = 0; round < 10; round++)
        {
            var id = $"contested-{round}";
            var contenders = new[] { new NodeIdentity(id) { HostName = "host-1" }, new NodeIdentity(id) { HostName = "host-2" } };
            using var start = new Barrier(contenders.Length);

            var outcomes = await Task.WhenAll(contenders.Select(node => Task.Run(async () =>
            {
                start.SignalAndWait();
                try
                {
                    await RegisterAsync(node);
                    return true;
                }
                catch (NodeIdInUseException)
                {
                    return false;
                }
            })));

            Assert.That(outcomes.Count(won => won), Is.EqualTo(1), $"round {round}");
            var winner = contenders[Array.IndexOf(outcomes, true)];
            Assert.That((await ReadNodeAsync(id)).RunId, Is.EqualTo(winner.RunId), $"round {round}: the row names the winner");
        }
    }

    [Test]
    public async Task RegisterAsync_WhenOtherNodesOfThisHostHaveNoProcess_MarksThemLostAndReleasesTheirLeases()
    {
        using var live = Process.Start("sleep", "60");
        try
        {
            var host = Environment.MachineName;
            await SeedNodeAsync("gone", host, GoneProcess, heartbeatAt: NowMs);
            await SeedNodeAsync("live", host, live.Id, heartbeatAt: NowMs);
            await SeedNodeAsync("elsewhere", OtherHost, GoneProcess, heartbeatAt: NowMs);
            var gone = await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("gone", EarlierRun), 2);
            var kept = (await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("live", EarlierRun), 1))
                .Concat(await LeaseImagesAsync(NodeIdentity.LeaseOwnerOf("elsewhere", EarlierRun), 1))
                .ToList();

            await RegisterAsync(new NodeIdentity("node-a"));

            Assert.That((await ReadNodeAsync("gone")).LostAt, Is.Not.Null, "a node of this host whose process is gone is lost");
            Assert.That(await OwnersAsync(gone), Is.All.Null, "and its leases are back in the queue");
            Assert.That(new[] { (await ReadNodeAsync("live")).LostAt, (await ReadNodeAsync("elsewhere")).LostAt }, Is.All.Null);
            Assert.That(await OwnersAsync(kept), Is.All.Not.Null, "a live process's leases, and another host's, are left alone");
        }
        finally
        {
            live.Kill();
        }
    }

    private Task RegisterAsync(NodeIdentity node) =>
        new NodeRegistration(Database.Factory, node, Options, Queue(), TimeProvider.System, NullLogger<NodeRegistration>.Instance)
            .RegisterAsync(CancellationToken.None);

    private SqlWorkQueue Queue() => new(Database.Factory, Options, TimeProvider.System, TestTelemetry.Lifecycle, TestTelemetry.Instruments);

    private async Task SeedNodeAsync(
        string id,
        string? hostName,
        int? processId,
        long heartbeatAt,
        long? startedAt = null,
        long? stoppedAt = null,
        long? lostAt = null,
        long imagesSettled = 0,
        string? runId = EarlierRun)
    {
        await using var db = Database.CreateContext();
        db.Nodes.Add(new NodeRecord
        {
            Id = id,
            Role = "all",
            RunId = runId,
            HostName = hostName,
            ProcessId = processId,
            StartedAt = startedAt ?? heartbeatAt - 60_000,
            HeartbeatAt = heartbeatAt,
            StoppedAt = stoppedAt,
            LostAt = lostAt,
            ImagesSettled = imagesSettled,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>A new job's images, claimed by <paramref name="owner"/>: the leases a run holds.</summary>
    private async Task<IReadOnlyList<long>> LeaseImagesAsync(string owner, int count)
    {
        await Database.SaveJobAsync(JobWithImages(count));
        var claimed = await Queue().ClaimAsync(owner, count, CancellationToken.None);
        return [.. claimed.Select(c => c.ImageId)];
    }

    private async Task<IReadOnlyList<ImageRow>> ImagesAsync(IEnumerable<long> ids)
    {
        var wanted = ids.ToHashSet();
        return [.. (await Database.ReadImagesAsync()).Where(i => wanted.Contains(i.Id))];
    }

    private async Task<IReadOnlyList<string?>> OwnersAsync(IEnumerable<long> ids) => [.. (await ImagesAsync(ids)).Select(i => i.LeaseOwner)];

    private async Task<IReadOnlyList<int>> ClaimsAsync(IEnumerable<long> ids)
    {
        var wanted = ids.ToList();
        await using var db = Database.CreateContext();
        return await db.Images.AsNoTracking()
            .Where(i => wanted.Contains(i.Id))
            .Select(i => EF.Property<int>(i, "claims"))
            .ToListAsync();
    }

    private async Task<NodeRecord> ReadNodeAsync(string id)
    {
        await using var db = Database.CreateContext();
        return await db.Nodes.AsNoTracking().SingleAsync(n => n.Id == id);
    }
}
