using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Nodes;

/// <summary>
/// Every process is a node of its own: two processes started with the default settings on one
/// database are two nodes, a killed one's leases lapse and are taken over, and an explicit
/// <c>Node:Id</c> can be held by one live process only.
/// </summary>
[NonParallelizable]
public sealed partial class NodeIdentityTests
{
    private const int Visits = 20;
    private const int ImagesPerVisit = 50;
    private const int ImageCount = Visits * ImagesPerVisit;
    private const int LeaseSeconds = 4;

    [Test]
    public async Task Job_WhenOneOfTwoProcessesWithDefaultSettingsIsKilledMidRun_CompletesAndBothAreListedAsNodes()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = database.With(Processing());

        // No Node:Id: each process picks its own default.
        await using var survivor = await ServiceProcess.StartAsync(database.ConnectionString, settings);
        await using var victim = await ServiceProcess.StartAsync(database.ConnectionString, settings);
        var victimId = RegisteredId(victim);
        using var client = survivor.CreateClient();
        var jobId = await SubmitAsync(client, Submission(ThousandImages(images)));

        await Eventually.HoldsAsync(
            () => Database.SettledImages(database) >= ImageCount / 5 && LeasesHeldBy(database, victimId) > 0,
            TimeSpan.FromSeconds(120));
        await victim.KillAsync();
        var killed = Stopwatch.StartNew();
        var leasedAtKill = LeasesHeldBy(database, victimId);

        // Far beyond the takeover bound (LeaseSeconds + LeaseSeconds / 3), far short of never.
        await Eventually.HoldsAsync(() => LeasesHeldBy(database, victimId) == 0, TimeSpan.FromSeconds(LeaseSeconds * 10));
        var takeover = killed.Elapsed;
        var status = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(60));
        TestContext.Out.WriteLine($"provider {database.Kind}: the killed process held {leasedAtKill} leases; all taken over {takeover.TotalSeconds:F1} s after the kill (lease {LeaseSeconds} s, bound {LeaseSeconds + (LeaseSeconds / 3.0):F1} s); the job completed {killed.Elapsed.TotalSeconds:F1} s after it");
        var nodes = (await client.GetJsonAsync("/api/nodes"))["nodes"]!.AsArray();
        TestContext.Out.WriteLine($"GET /api/nodes: {nodes.ToJsonString()}");

        Assert.Multiple(() =>
        {
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE job_id = {jobId} AND state = 2"), Is.EqualTo(ImageCount));
            Assert.That(Database.InconsistentJobs(database), Is.Empty);
            Assert.That(nodes.Select(n => n!["node_id"]!.GetValue<string>()).Distinct().Count(), Is.EqualTo(2), "two processes, two nodes");
            Assert.That(
                nodes.Select(n => n!["node_id"]!.GetValue<string>()),
                Has.All.Match($"^{Regex.Escape(Environment.MachineName)}-[0-9a-f]{{6}}$"),
                "the default id is the machine name and a suffix of the process's own");
            Assert.That(nodes.Single(n => n!["node_id"]!.GetValue<string>() == victimId)!["leases_held"]!.GetValue<int>(), Is.Zero);
        });
    }

    [Test]
    public async Task Service_WhenALiveProcessHoldsItsExplicitNodeId_ExitsWithAFailureNamingTheSettingAndTheHolder()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = database.With(new Dictionary<string, string?>(Processing()) { ["Node:Id"] = "shared-node" });
        await using var holder = await ServiceProcess.StartAsync(database.ConnectionString, settings);

        var refused = Assert.ThrowsAsync<ServiceExitedException>(async () => await ServiceProcess.StartAsync(database.ConnectionString, settings));

        Assert.That(refused!.ExitCode, Is.EqualTo(1));
        Assert.That(
            refused.Output,
            Has.One.Contains($"Node:Id 'shared-node' is held by a live node: it started at ").And.Contain($"on host {Environment.MachineName} (process {holder.ProcessId})"));
        Assert.That(refused.Output, Has.None.Contains("Unhandled exception"));
        using var client = holder.CreateClient();
        var node = (await client.GetJsonAsync("/api/nodes"))["nodes"]!.AsArray().Single()!;
        Assert.That(
            (node["node_id"]!.GetValue<string>(), node["state"]!.GetValue<string>(), node["process_id"]!.GetValue<int>()),
            Is.EqualTo(("shared-node", "alive", holder.ProcessId)),
            "the holder keeps its id");
    }

    [TestCase("restarted-node", TestName = "Service_WhenKilledAndRestartedWithTheSameNodeId_TakesItsLeasesBackAtOnce")]
    [TestCase(null, TestName = "Service_WhenKilledAndRestartedWithTheDefaultNodeId_TakesTheDeadProcessesLeasesBackAtOnce")]
    public async Task Service_WhenKilledAndRestarted_TakesItsLeasesBackAtOnce(string? nodeId)
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();

        // Longer than the test: progress after the restart can only come from the dead run's
        // leases being released at start, never from their lapse.
        var settings = new Dictionary<string, string?>(Processing()) { ["Processing:LeaseSeconds"] = "120" };
        if (nodeId is not null)
        {
            settings["Node:Id"] = nodeId;
        }

        await using var first = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings));
        var (firstId, firstRun) = Registration(first);
        long jobId;
        using (var client = first.CreateClient())
        {
            jobId = await SubmitAsync(client, Submission(ThousandImages(images)));
        }

        var deadOwner = $"{firstId}/{firstRun}";
        await Eventually.HoldsAsync(() => Database.SettledImages(database) >= ImageCount / 10 && LeasesHeldByOwner(database, deadOwner) > 0, TimeSpan.FromSeconds(120));
        await first.KillAsync();
        var leasedAtKill = LeasesHeldByOwner(database, deadOwner);

        await using var second = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings));
        using var secondClient = second.CreateClient();
        var (secondId, _) = Registration(second);
        var status = await WaitUntilSettledAsync(secondClient, jobId, TimeSpan.FromSeconds(60));
        var nodes = (await secondClient.GetJsonAsync("/api/nodes"))["nodes"]!.AsArray()
            .ToDictionary(n => n!["node_id"]!.GetValue<string>(), n => (n!["state"]!.GetValue<string>(), n["leases_held"]!.GetValue<int>()));

        Assert.Multiple(() =>
        {
            Assert.That(leasedAtKill, Is.Positive, "the killed process held leases");
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(LeasesHeldByOwner(database, deadOwner), Is.Zero);
            Assert.That(Database.InconsistentJobs(database), Is.Empty);
            if (nodeId is null)
            {
                Assert.That(secondId, Is.Not.EqualTo(firstId), "a new process, a new default id");
                Assert.That(nodes[firstId], Is.EqualTo(("lost", 0)), "the dead process's node is marked lost at once");
                Assert.That(second.Output, Has.One.Contains($"Node {firstId} of this host is gone without a graceful stop (process {first.ProcessId} no longer runs): marked lost, {leasedAtKill} image leases released"));
            }
            else
            {
                Assert.That((secondId, nodes.Keys.Single(), nodes[nodeId].Item1), Is.EqualTo((nodeId, nodeId, "alive")));
                Assert.That(second.Output, Has.One.Contains($"Released {leasedAtKill} images left leased by an earlier run of node {nodeId}: its process on this host is gone"));
            }
        });
    }

    [Test]
    public async Task Service_WhenPausedBeyondALeaseAndItsNodeIdTakenOver_StopsWithAFailureOnceResumed()
    {
        await using var database = await TestDatabase.CreateAsync();

        // Few writes while idle, so the pause is unlikely to catch a statement holding a lock.
        var settings = database.With(new Dictionary<string, string?>(Processing())
        {
            ["Node:Id"] = "paused-node",
            ["Processing:IdlePollMilliseconds"] = "10000",
            ["Callbacks:PollMilliseconds"] = "10000",
        });
        await using var paused = await ServiceProcess.StartAsync(database.ConnectionString, settings);
        await paused.PauseAsync();
        await Eventually.HoldsAsync(
            () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - Database.Scalar(database, "SELECT heartbeat_at FROM nodes WHERE id = 'paused-node'") > (LeaseSeconds * 1000) + 500,
            TimeSpan.FromSeconds(LeaseSeconds * 10));
        await using var successor = await ServiceProcess.StartAsync(database.ConnectionString, settings);

        await paused.ResumeAsync();
        var exitCode = await paused.WaitForExitAsync(TimeSpan.FromSeconds(LeaseSeconds * 10));

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(paused.Output, Has.One.Contains("Node:Id paused-node has been taken over").And.Contain($"(process {successor.ProcessId})"));
        using var client = successor.CreateClient();
        var node = (await client.GetJsonAsync("/api/nodes"))["nodes"]!.AsArray().Single()!;
        Assert.That(
            (node["state"]!.GetValue<string>(), node["process_id"]!.GetValue<int>()),
            Is.EqualTo(("alive", successor.ProcessId)),
            "the resumed process left the successor's row alone");
    }

    private static Dictionary<string, string?> Processing() => new()
    {
        ["Processing:AllowPrivateNetworks"] = "true",
        ["Processing:LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
        ["Processing:MaxConcurrency"] = "8",
        ["Processing:GpuDelayMinMs"] = "20",
        ["Processing:GpuDelayMaxMs"] = "40",
    };

    private static JsonObject[] ThousandImages(TestImageServer images) =>
    [
        .. Enumerable.Range(0, Visits).Select(v => Visit(
            v % 2 == 0 ? KnownStore : OtherKnownStore,
            [.. Enumerable.Range(v * ImagesPerVisit, ImagesPerVisit).Select(i => images.Url($"/img/{1 + (i % 50)}x{1 + (i / 50)}.png"))])),
    ];

    /// <summary>The id the process logged at registration.</summary>
    private static string RegisteredId(ServiceProcess service) => Registration(service).NodeId;

    /// <summary>The node id and run the process logged at registration.</summary>
    private static (string NodeId, string RunId) Registration(ServiceProcess service)
    {
        var match = service.Output.Select(line => Registered().Match(line)).First(m => m.Success);
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    /// <summary>Images leased now by exactly <paramref name="owner"/>, one run of a node.</summary>
    private static long LeasesHeldByOwner(TestDatabase database, string owner) =>
        Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE state = 1 AND lease_owner = '{owner}'");

    /// <summary>Images leased now by a run of node <paramref name="nodeId"/>.</summary>
    private static long LeasesHeldBy(TestDatabase database, string nodeId) => Database.Scalar(
        database,
        $"SELECT COUNT(*) FROM images WHERE state = 1 AND (lease_owner = '{nodeId}' OR lease_owner LIKE '{nodeId}/%')");

    [GeneratedRegex(@"Node (\S+) registered .*: run ([0-9a-f]+),")]
    private static partial Regex Registered();
}
