using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Nodes;

/// <summary>
/// A live node's lease is never taken: two nodes share a database while each GPU step lasts one
/// and a half lease periods. Without heartbeats the idle node would reclaim the busy node's images
/// after one period and download them again.
/// </summary>
[NonParallelizable]
public sealed class LeaseRenewalTests
{
    private const int ImageCount = 8;
    private const int LeaseSeconds = 3;
    private const int GpuMilliseconds = 4_500;

    [Test]
    public async Task Images_WhenTheGpuStepOutlastsTheLease_AreProcessedOnceByTheNodeThatClaimedThem()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Processing:LeaseSeconds"] = $"{LeaseSeconds}",
            ["Processing:GpuDelayMinMs"] = $"{GpuMilliseconds}",
            ["Processing:GpuDelayMaxMs"] = $"{GpuMilliseconds}",
            ["Processing:MaxConcurrency"] = "4",
            ["Processing:DownloadConcurrency"] = "4",
        };
        await using var first = new KcApiFactory(database, settings, nodeId: "node-a");
        await using var second = new KcApiFactory(database, settings, nodeId: "node-b");
        first.StartServer();
        second.StartServer();
        using var client = first.CreateClient();
        var paths = Enumerable.Range(1, ImageCount).Select(i => $"/img/{i}x{i + 1}.png").ToArray();

        var jobId = await SubmitAsync(client, Submission(Visit(KnownStore, [.. paths.Select(images.Url)])));
        var status = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(120));

        Assert.Multiple(() =>
        {
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(paths.Select(images.RequestCount), Is.All.EqualTo(1), "each image downloaded once: no lease was taken from a live node");
            Assert.That(Database.Scalar(database, $"SELECT SUM(attempts) FROM images WHERE job_id = {jobId}"), Is.EqualTo(ImageCount));
            Assert.That(Database.InconsistentJobs(database), Is.Empty);
        });
    }
}
