using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Nodes;

/// <summary>
/// One API node and three worker processes on one database. A 5,000-image job is submitted, one
/// worker is killed with SIGKILL mid-run, and the other two take its leases over once they lapse.
/// The job must complete with exactly one outcome per image. The run reports how the work was
/// split and how long the takeover took.
/// </summary>
[NonParallelizable]
public sealed class MultiNodeKillTests
{
    private const int Visits = 50;
    private const int ImagesPerVisit = 100;
    private const int ImageCount = Visits * ImagesPerVisit;
    private const int LeaseSeconds = 4;
    private const string Victim = "worker-2";

    private static readonly string[] Workers = ["worker-1", Victim, "worker-3"];

    [Test]
    public async Task Job_WhenOneOfThreeWorkersIsKilledMidRun_CompletesWithExactlyOneOutcomePerImage()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var common = new Dictionary<string, string?>
        {
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Processing:LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["Processing:MaxConcurrency"] = "16",
            ["Processing:GpuDelayMinMs"] = "5",
            ["Processing:GpuDelayMaxMs"] = "15",
        };

        // Nodes start one after another: the first applies the migrations the others then find done.
        await using var api = await ServiceProcess.StartAsync(database.ConnectionString, database.With(Node(common, "api-1", "api")));
        var workers = new Dictionary<string, ServiceProcess>();
        try
        {
            foreach (var id in Workers)
            {
                workers[id] = await ServiceProcess.StartAsync(database.ConnectionString, database.With(Node(common, id, "worker")));
            }

            using var client = api.CreateClient();
            var (submission, expectedPerimeters) = FiveThousandImages(images);
            var run = Stopwatch.StartNew();
            var jobId = await SubmitAsync(client, submission);

            // Kill the victim while it is working and has recorded some outcomes already.
            await Eventually.HoldsAsync(
                () => Database.SettledImages(database) >= ImageCount / 5 && LeasesHeldBy(database, Victim) > 0 && SettledBy(database, Victim) > 0,
                TimeSpan.FromSeconds(120));
            await workers[Victim].KillAsync();
            var killed = Stopwatch.StartNew();

            // Counted once it is dead: until the kill it went on claiming, and its leases outlive it.
            var leasedAtKill = LeasesHeldBy(database, Victim);
            await Eventually.HoldsAsync(() => LeasesHeldBy(database, Victim) == 0, TimeSpan.FromSeconds(LeaseSeconds * 10));
            var takeover = killed.Elapsed;

            var status = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(300));
            var elapsed = run.Elapsed;
            var split = Database.CountsBy(database, $"SELECT settled_by, COUNT(*) FROM images WHERE job_id = {jobId} GROUP BY settled_by");
            var counted = Database.CountsBy(database, "SELECT id, images_settled FROM nodes");
            var downloads = Enumerable.Range(0, ImageCount).Sum(i => images.RequestCount(PathOf(i)));
            await Eventually.HoldsAsync(() => NodeState(client, Victim) == "lost", TimeSpan.FromSeconds(LeaseSeconds * 10));

            TestContext.Out.WriteLine($"provider {database.Kind}: {ImageCount} images in {elapsed.TotalSeconds:F1} s ({ImageCount / elapsed.TotalSeconds:F0} images/s) on 3 workers, {Victim} killed holding {leasedAtKill} leases");
            TestContext.Out.WriteLine($"takeover: the killed worker's leases were all taken over {takeover.TotalSeconds:F1} s after the kill (lease {LeaseSeconds} s)");
            TestContext.Out.WriteLine($"split: {string.Join(", ", split.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}; downloads {downloads}");

            Assert.Multiple(() =>
            {
                Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
                Assert.That(Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE job_id = {jobId} AND state = 2"), Is.EqualTo(ImageCount));
                Assert.That(Database.Scalar(database, $"SELECT SUM(perimeter) FROM images WHERE job_id = {jobId}"), Is.EqualTo(expectedPerimeters));
                Assert.That(split.Keys, Is.SubsetOf(Workers), "only workers record outcomes");
                Assert.That(split.Values.Sum(), Is.EqualTo(ImageCount), "one outcome per image");
                Assert.That(split.Values, Is.All.Positive, "every worker did part of the job");
                foreach (var (node, settled) in split)
                {
                    Assert.That(counted[node], Is.EqualTo(settled), $"{node}'s own count agrees with the rows it settled");
                }

                Assert.That(downloads, Is.InRange(ImageCount, ImageCount + leasedAtKill), "only the killed worker's in-flight images were fetched twice");
                Assert.That(Database.InconsistentJobs(database), Is.Empty);
                Assert.That(LeasesHeldBy(database, null), Is.Zero, "no lease left behind");
            });
        }
        finally
        {
            foreach (var worker in workers.Values)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static Dictionary<string, string?> Node(IReadOnlyDictionary<string, string?> common, string id, string role) =>
        new(common) { ["Node:Id"] = id, ["Node:Role"] = role };

    /// <summary>Image <paramref name="i"/> has a size of its own, so each image is a path of its own on the image server.</summary>
    private static string PathOf(int i) => $"/img/{1 + (i % 100)}x{1 + (i / 100)}.png";

    private static (JsonObject Body, long Perimeters) FiveThousandImages(TestImageServer images)
    {
        var visits = Enumerable.Range(0, Visits)
            .Select(v => Visit(v % 2 == 0 ? KnownStore : OtherKnownStore, [.. Enumerable.Range(v * ImagesPerVisit, ImagesPerVisit).Select(i => images.Url(PathOf(i)))]))
            .ToArray();
        var perimeters = Enumerable.Range(0, ImageCount).Sum(i => 2L * (1 + (i % 100) + 1 + (i / 100)));
        return (Submission(visits), perimeters);
    }

    /// <summary>Images leased now by a run of node <paramref name="nodeId"/>, or by anyone when null.</summary>
    private static long LeasesHeldBy(TestDatabase database, string? nodeId) => Database.Scalar(
        database,
        nodeId is null ? "SELECT COUNT(*) FROM images WHERE state = 1" : $"SELECT COUNT(*) FROM images WHERE state = 1 AND lease_owner LIKE '{nodeId}/%'");

    private static long SettledBy(TestDatabase database, string owner) =>
        Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE settled_by = '{owner}'");

    private static string? NodeState(HttpClient client, string nodeId)
    {
        var nodes = client.GetJsonAsync("/api/nodes").GetAwaiter().GetResult();
        return nodes["nodes"]!.AsArray().SingleOrDefault(n => n!["node_id"]!.GetValue<string>() == nodeId)?["state"]?.GetValue<string>();
    }
}
