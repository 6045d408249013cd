using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Faults;

/// <summary>
/// An image whose processing kills its node would take down every node in turn, for ever. Here the
/// node is killed while the image is in flight, as if the image had done it; past
/// <c>Processing:MaxClaims</c> such claims, the next claim fails the image instead of processing it.
/// </summary>
[NonParallelizable]
public sealed class PoisonImageTests
{
    [Test]
    public async Task Image_WhenItsNodeDiesEveryTimeItIsClaimed_IsFailedAfterMaxClaimsAndTheJobSettles()
    {
        await using var images = await TestImageServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Node:Id"] = "poisoned-node",
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Processing:MaxClaims"] = "2",
            ["Processing:LeaseSeconds"] = "300",
        };
        var poison = images.Url("/slow/60000/8x6.png");
        var healthy = images.Url("/img/4x3.png");
        long jobId;
        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            jobId = await SubmitAsync(client, Submission(Visit(KnownStore, healthy, poison)));
            await KillWhileThePoisonIsInFlightAsync(service, database);
        }

        // The second run claims it again (the second claim) and dies again.
        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            await KillWhileThePoisonIsInFlightAsync(service, database);
        }

        var downloadsBefore = images.RequestCount("/slow/60000/8x6.png");
        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            var status = await WaitUntilSettledAsync(client, jobId, TimeSpan.FromSeconds(60));
            var details = await client.GetJsonAsync($"/api/jobs/{jobId}");
            var results = details["visits"]![0]!["images"]!.AsArray();

            Assert.Multiple(() =>
            {
                Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("failed"));
                Assert.That(results[0]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
                Assert.That(results[1]!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
                Assert.That(
                    results[1]!["error"]!.GetValue<string>(),
                    Is.EqualTo("abandoned after 2 claims without an outcome: each node that claimed it stopped before finishing it (Processing:MaxClaims)"));
                Assert.That(images.RequestCount("/slow/60000/8x6.png"), Is.EqualTo(downloadsBefore), "the third claim fails it without downloading it");
                Assert.That(Database.InconsistentJobs(database), Is.Empty);
            });
        }
    }

    private static async Task KillWhileThePoisonIsInFlightAsync(ServiceProcess service, TestDatabase database)
    {
        // Once the healthy image has its outcome: only the poison dies with the node.
        await Eventually.HoldsAsync(
            () => Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE state = 1 AND url LIKE '%/slow/%'") == 1
                && Database.Scalar(database, "SELECT COUNT(*) FROM images WHERE state = 2") == 1,
            TimeSpan.FromSeconds(30));
        await service.KillAsync();
    }
}
