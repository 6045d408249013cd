using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary>Retention on the running service: a sweep runs at start, then every interval.</summary>
public sealed class RetentionTests
{
    [Test]
    public async Task Service_WhenRetentionIsSet_RemovesFinishedJobsOlderThanItWithTheirRows()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        long oldJob;
        await using (var first = new KcApiFactory(database))
        {
            first.StartServer();
            using var client = first.CreateClient();
            oldJob = await SubmitAsync(client, Submission(Visit(KnownStore, images.Url("/img/4x3.png"))));
            await WaitUntilSettledAsync(client, oldJob);
        }

        // A tenth of a second, in days: the first job is older than that by the time the second service starts.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var retention = new Dictionary<string, string?> { ["Retention:Days"] = (0.1 / 86_400).ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
        await using var second = new KcApiFactory(database, retention);
        second.StartServer();
        using var secondClient = second.CreateClient();

        await Eventually.HoldsAsync(() => Database.Scalar(database, $"SELECT COUNT(*) FROM jobs WHERE id = {oldJob}") == 0, TimeSpan.FromSeconds(30));
        using var status = await secondClient.GetAsync($"/api/status?jobid={oldJob}");

        Assert.Multiple(() =>
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a removed job answers like one that never existed");
            Assert.That(Database.Scalar(database, $"SELECT COUNT(*) FROM images WHERE job_id = {oldJob}"), Is.Zero);
            Assert.That(Database.Scalar(database, $"SELECT COUNT(*) FROM visits WHERE job_id = {oldJob}"), Is.Zero);
        });
    }
}
