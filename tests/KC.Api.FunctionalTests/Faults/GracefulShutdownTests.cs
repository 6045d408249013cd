using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Faults;

/// <summary>SIGTERM: the worker stops claiming, lets images in flight finish, releases the rest, and exits cleanly.</summary>
[NonParallelizable]
public sealed class GracefulShutdownTests
{
    [Test]
    public async Task Service_WhenSentSigterm_FinishesInFlightImagesReleasesTheRestAndResumesAtOnce()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Node:Id"] = "term-node",
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Processing:MaxConcurrency"] = "4",
            ["Processing:DownloadConcurrency"] = "4",
            ["Processing:GpuDelayMinMs"] = "1500",
            ["Processing:GpuDelayMaxMs"] = "1500",
            ["Processing:ShutdownGraceSeconds"] = "20",
            ["Processing:LeaseSeconds"] = "300",
        };
        var urls = Enumerable.Range(1, 20).Select(i => images.Url($"/img/{i}x3.png")).ToArray();
        long jobId;
        int exitCode;
        long claimedAtSignal;

        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            jobId = await SubmitAsync(client, Submission(Visit(KnownStore, urls)));
            await Eventually.HoldsAsync(() => Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE state = 1") >= 8, TimeSpan.FromSeconds(30));
            claimedAtSignal = Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE state = 1");
            exitCode = await service.TerminateAsync(TimeSpan.FromSeconds(60));
        }

        var settledAfterStop = Database.SettledImages(database);
        var leasedAfterStop = Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE state = 1 OR lease_owner IS NOT NULL");
        var pendingAfterStop = Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE state = 0");

        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            var status = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(60));

            Assert.Multiple(() =>
            {
                Assert.That(exitCode, Is.Zero, "a graceful stop exits 0");
                Assert.That(settledAfterStop, Is.EqualTo(claimedAtSignal), "every image in flight at SIGTERM finished within the grace period");
                Assert.That(leasedAfterStop, Is.Zero, "nothing stays leased after a graceful stop");
                Assert.That(pendingAfterStop, Is.EqualTo(urls.Length - claimedAtSignal), "the rest went back to the queue");
                Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
                Assert.That(Database.InconsistentJobs(database), Is.Empty);
            });
        }
    }
}
