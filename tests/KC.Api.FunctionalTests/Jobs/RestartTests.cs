using System.Diagnostics;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary>A job in flight when the service stops resumes when it starts again, and every image settles once.</summary>
public sealed class RestartTests
{
    private const int ImageCount = 120;

    [Test]
    public async Task Job_WhenHostStopsMidJob_CompletesAfterRestartWithOneOutcomePerImage()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var slowGpu = new Dictionary<string, string?>
        {
            ["Processing:MaxConcurrency"] = "4",
            ["Processing:GpuDelayMinMs"] = "40",
            ["Processing:GpuDelayMaxMs"] = "60",
        };
        var urls = Enumerable.Range(1, ImageCount).Select(i => images.Url($"/img/{i}x{i + 1}.png")).ToArray();
        long jobId;
        int settledBeforeStop;

        await using (var first = new KcApiFactory(database, slowGpu, nodeId: "node-a"))
        {
            first.StartServer();
            using var client = first.CreateClient();
            jobId = await SubmitAsync(client, Submission(Visit(KnownStore, urls[..60]), Visit(OtherKnownStore, urls[60..])));
            settledBeforeStop = await WaitForSomeProgressAsync(database, jobId);
        }

        var settledWhileStopped = CountSettled(database, jobId);
        await using (var second = new KcApiFactory(database, slowGpu, nodeId: "node-a"))
        {
            second.StartServer();
            using var client = second.CreateClient();
            var status = await WaitUntilSettledAsync(client, jobId);
            var details = await client.GetJsonAsync($"/api/jobs/{jobId}");

            var results = details["visits"]!.AsArray().SelectMany(v => v!["images"]!.AsArray()).ToList();
            var (total, succeeded, failed) = Counters(database, jobId);
            Assert.Multiple(() =>
            {
                Assert.That(settledBeforeStop, Is.InRange(1, ImageCount - 1), "the host was stopped mid-job");
                Assert.That(settledWhileStopped, Is.LessThan(ImageCount), "work remained for the new host");
                Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
                Assert.That((total, succeeded, failed), Is.EqualTo((ImageCount, ImageCount, 0)), "counters count each image once");
                Assert.That(CountSettled(database, jobId), Is.EqualTo(ImageCount));
                Assert.That(LeasesHeld(database), Is.Zero);
                for (var i = 0; i < ImageCount; i++)
                {
                    Assert.That(results[i]!["perimeter"]!.GetValue<long>(), Is.EqualTo(2L * ((i + 1) + (i + 2))));
                }
            });
        }
    }

    private static async Task<int> WaitForSomeProgressAsync(TestDatabase database, long jobId)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var settled = CountSettled(database, jobId);
            if (settled >= 10)
            {
                return settled;
            }

            await Task.Delay(20);
        }

        Assert.Fail("No image settled within 30 s.");
        return 0;
    }

    private static int CountSettled(TestDatabase database, long jobId) =>
        (int)Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE job_id = {jobId} AND state IN (2, 3)");

    private static int LeasesHeld(TestDatabase database) =>
        (int)Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE lease_owner IS NOT NULL OR state = 1");

    private static (int Total, int Succeeded, int Failed) Counters(TestDatabase database, long jobId)
    {
        var row = Database.Rows(database, $"SELECT total_images, succeeded_images, failed_images FROM jobs WHERE id = {jobId}").Single();
        return ((int)row[0], (int)row[1], (int)row[2]);
    }
}
