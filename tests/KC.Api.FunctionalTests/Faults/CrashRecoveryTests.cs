using System.Collections.Concurrent;
using System.Diagnostics;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Faults;

/// <summary>
/// The service killed with SIGKILL at several points — during a burst of submits, mid-processing,
/// and repeatedly while outcomes are being written — and restarted on the same database each time.
/// </summary>
[NonParallelizable]
public sealed class CrashRecoveryTests
{
    private const int ImagesPerJob = 400;

    // Longer than the whole test: progress after a restart can only come from the node
    // releasing its own dead leases at start, never from waiting for them to lapse.
    private const int LeaseSeconds = 120;

    [Test]
    public async Task Service_WhenKilledAtSeveralPoints_CompletesEveryAcceptedJobWithOneOutcomePerImage()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Node:Id"] = "crash-node",
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Processing:MaxConcurrency"] = "64",
            ["Processing:GpuDelayMinMs"] = "1",
            ["Processing:GpuDelayMaxMs"] = "10",
            ["Processing:LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Processing:OutcomeFlushMilliseconds"] = "20",
        };
        var accepted = new ConcurrentBag<long>();
        var kills = new List<string>();
        var resumeTimes = new List<TimeSpan>();

        // 1. Kill during a burst of submits: every acknowledged job must survive.
        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            var burst = Enumerable.Range(0, 30).Select(i => TrySubmitAsync(client, images, i, accepted)).ToList();
            await Eventually.HoldsAsync(() => !accepted.IsEmpty, TimeSpan.FromSeconds(60));
            await service.KillAsync();
            await Task.WhenAll(burst);
            kills.Add($"during a submit burst ({accepted.Count} of 30 acknowledged)");
        }

        // 2. Kill mid-processing, and 3. repeatedly while outcomes are written.
        var random = new Random(20261129);
        for (var round = 0; round < 6; round++)
        {
            var settledBefore = Database.SettledImages(database);
            await using var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings));
            var restarted = Stopwatch.StartNew();
            if (Database.Scalar(database, "SELECT COUNT(*) FROM images") - settledBefore < 2_000)
            {
                // Keep a backlog, so every kill below lands while work is in flight.
                using var client = service.CreateClient();
                await Task.WhenAll(Enumerable.Range(100 + (round * 10), 10).Select(i => TrySubmitAsync(client, images, i, accepted)));
            }

            await Eventually.HoldsAsync(() => Database.SettledImages(database) > settledBefore, TimeSpan.FromSeconds(LeaseSeconds / 2));
            resumeTimes.Add(restarted.Elapsed);
            await Task.Delay(round == 0 ? 300 : random.Next(20, 400));
            await service.KillAsync();
            kills.Add(round == 0 ? "mid-processing" : $"while writing outcomes ({Database.SettledImages(database)} settled)");
        }

        // Finally run to the end.
        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            foreach (var jobId in accepted)
            {
                var status = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(120));
                Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"), $"job {jobId}");
            }
        }

        var jobs = Database.Scalar(database, "SELECT COUNT(*) FROM jobs");
        var imageRows = Database.Scalar(database, "SELECT COUNT(*) FROM images");
        await TestContext.Out.WriteLineAsync(
            $"Kill points: {string.Join("; ", kills)}. Jobs checked: {jobs} ({accepted.Count} acknowledged), images checked: {imageRows}. " +
            $"Restart to resumed progress: {string.Join(", ", resumeTimes.Select(t => $"{t.TotalMilliseconds:0} ms"))}.");
        Assert.Multiple(() =>
        {
            Assert.That(Database.InconsistentJobs(database), Is.Empty);
            Assert.That(jobs, Is.GreaterThanOrEqualTo(accepted.Count));
            Assert.That(imageRows, Is.EqualTo(jobs * ImagesPerJob), "a submit is all or nothing");
            Assert.That(Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE lease_owner IS NOT NULL"), Is.Zero);
        });
    }

    private static async Task TrySubmitAsync(HttpClient client, TestImageServer images, int index, ConcurrentBag<long> accepted)
    {
        var urls = Enumerable.Range(0, ImagesPerJob).Select(i => images.Url($"/img/{10 + index}x{10 + (i % 20)}.png")).ToArray();
        var body = Submission(Visit(KnownStore, urls[..(ImagesPerJob / 2)]), Visit(OtherKnownStore, urls[(ImagesPerJob / 2)..]));
        try
        {
            using var response = await client.PostJsonAsync("/api/submit", body);
            if ((int)response.StatusCode == 201)
            {
                var json = await Json.ReadAsync(response);
                accepted.Add(json["job_id"]!.GetValue<long>());
            }
        }
        catch (HttpRequestException)
        {
            // Killed before answering: the job may or may not exist, but never half.
        }
        catch (TaskCanceledException)
        {
        }
    }
}
