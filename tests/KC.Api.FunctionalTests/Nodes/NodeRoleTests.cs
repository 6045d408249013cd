using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Nodes;

/// <summary>An API node and a worker node on one database: each does only its own part.</summary>
[NonParallelizable]
public sealed class NodeRoleTests
{
    private const int ImageCount = 12;

    [Test]
    public async Task ApiNode_NeverClaimsWork_AndAWorkerOnTheSameDatabaseProcessesWhatItTakesIn()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?> { ["Processing:LeaseSeconds"] = "3" };

        await using var api = new KcApiFactory(database, With(settings, "api"), nodeId: "api-1");
        api.StartServer();
        using var client = api.CreateClient();
        var urls = Enumerable.Range(1, ImageCount).Select(i => images.Url($"/img/{i}x{i + 2}.png")).ToArray();
        var jobId = await SubmitAsync(client, Submission(Visit(KnownStore, urls)));

        // Two heartbeats of the API node: its loops have run, and it has claimed nothing.
        var firstBeat = Database.Scalar(database, "SELECT heartbeat_at FROM nodes WHERE id = 'api-1'");
        await Eventually.HoldsAsync(() => Database.Scalar(database, "SELECT heartbeat_at FROM nodes WHERE id = 'api-1'") >= firstBeat + 2_000, TimeSpan.FromSeconds(30));
        var pendingBeforeWorker = Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE job_id = {jobId} AND state = 0");

        await using var worker = new KcApiFactory(database, With(settings, "worker"), nodeId: "worker-1");
        worker.StartServer();
        using var workerClient = worker.CreateClient();
        var status = await WaitUntilSettledAsync(client, jobId);
        var nodes = await client.GetJsonAsync("/api/nodes");

        Assert.Multiple(() =>
        {
            Assert.That(pendingBeforeWorker, Is.EqualTo(ImageCount), "the API node left every image pending");
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(Database.CountsBy(database, $"SELECT settled_by, COUNT(*) FROM images WHERE job_id = {jobId} GROUP BY settled_by"), Is.EqualTo(new Dictionary<string, long> { ["worker-1"] = ImageCount }));
            Assert.That(
                nodes["nodes"]!.AsArray().Select(n => (n!["node_id"]!.GetValue<string>(), n["role"]!.GetValue<string>(), n["state"]!.GetValue<string>(), n["images_settled"]!.GetValue<long>())),
                Is.EqualTo(new[] { ("api-1", "api", "alive", 0L), ("worker-1", "worker", "alive", (long)ImageCount) }));
        });
    }

    [Test]
    public async Task WorkerNode_ServesOnlyTheHealthEndpoints()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var worker = new KcApiFactory(database, With(new Dictionary<string, string?>(), "worker"), nodeId: "worker-1");
        worker.StartServer();
        using var client = worker.CreateClient();

        using var ready = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");
        using var status = await client.GetAsync("/api/status?jobid=1");
        using var submit = await client.PostJsonAsync("/api/submit", Submission(Visit(KnownStore, new Uri("http://127.0.0.1/a.png"))));
        using var openApi = await client.GetAsync("/openapi/v1.json");

        Assert.That(
            new[] { ready.StatusCode, live.StatusCode, status.StatusCode, submit.StatusCode, openApi.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound }));
    }

    private static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> settings, string role) =>
        new(settings) { ["Node:Role"] = role };
}
