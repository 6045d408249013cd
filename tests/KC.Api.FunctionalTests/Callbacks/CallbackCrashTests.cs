using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Callbacks.Callbacks;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Callbacks;

/// <summary>A callback in flight when the service is killed is sent again after the restart: at least once.</summary>
[NonParallelizable]
public sealed class CallbackCrashTests
{
    [Test]
    public async Task Callback_WhenServiceIsKilledMidDelivery_IsDeliveredAfterRestart()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Node:Id"] = "callback-crash-node",
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Callbacks:PollMilliseconds"] = "50",

            // Longer than the test: only the restarted node releasing its own claim can resend in time.
            ["Callbacks:TimeoutSeconds"] = "120",
        };
        receiver.Hold("crash");
        long jobId;

        await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = service.CreateClient();
            jobId = await SubmitAsync(client, Submission(Visit("S99999999", new Uri("https://example.com/never-fetched.jpg"))).WithCallback(receiver.Url("crash")));
            await receiver.WaitForAsync("crash", 1, TimeSpan.FromSeconds(30));
            await service.KillAsync();
        }

        receiver.Release("crash");
        await using (var restarted = await ServiceProcess.StartAsync(database.ConnectionString, database.With(settings)))
        {
            using var client = restarted.CreateClient();
            var callback = await WaitForCallbackAsync(client, jobId, "delivered");

            var status = await StatusBodyAsync(client, jobId);
            Assert.Multiple(() =>
            {
                Assert.That(JsonNode.Parse(status)!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
                Assert.That(receiver.Received("crash").Select(r => r.Body), Is.EqualTo(new[] { status, status }), "sent before the kill and again after it");
                Assert.That(Attempts(callback), Is.EqualTo(new (int?, string?)[] { (200, null) }), "the attempt cut off by the kill recorded nothing");
            });
        }
    }
}
