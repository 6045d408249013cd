using System.Globalization;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Callbacks.Callbacks;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Callbacks;

/// <summary>
/// Eight receivers that accept the connection and never answer, beside a healthy one and one that
/// fails before it accepts: with the default <c>Callbacks:MaxConcurrency</c>, neither waits for the
/// hanging ones, whose POSTs stay in flight throughout.
/// </summary>
public sealed class CallbackIndependenceTests : ServiceTestBase
{
    private const int Hanging = 8;

    private CallbackReceiver _receiver = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Callbacks:PollMilliseconds"] = "100",
        ["Callbacks:RetryDelayMilliseconds"] = "500",

        // Longer than the test: a hanging POST ends only when the test does.
        ["Callbacks:TimeoutSeconds"] = "300",
    };

    [OneTimeSetUp]
    public async Task StartReceiverAsync() => _receiver = await CallbackReceiver.StartAsync();

    [OneTimeTearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    [Test]
    public async Task Callback_WhenEightReceiversHang_DeliversTheOthersWhileTheHangingOnesAreStillInFlight()
    {
        var hanging = new List<long>();
        for (var i = 0; i < Hanging; i++)
        {
            _receiver.Hold($"hang-{i}");
            hanging.Add(await SubmitSettledAsync($"hang-{i}"));
        }

        for (var i = 0; i < Hanging; i++)
        {
            await _receiver.WaitForAsync($"hang-{i}", 1, TimeSpan.FromSeconds(30));
        }

        _receiver.Script("flaky", 500, 500);
        var healthy = await SubmitSettledAsync("healthy");
        var flaky = await SubmitSettledAsync("flaky");

        var healthyCallback = await WaitForCallbackAsync(Client, healthy, "delivered");
        var flakyCallback = await WaitForCallbackAsync(Client, flaky, "delivered");

        var hangingCallbacks = new List<(string? Status, int Attempts)>();
        foreach (var jobId in hanging)
        {
            var callback = (await Client.GetJsonAsync($"/api/jobs/{jobId}"))["callback"]!;
            hangingCallbacks.Add((callback["status"]!.GetValue<string>(), callback["attempts"]!.AsArray().Count));
        }

        var flakyTimes = flakyCallback["attempts"]!.AsArray().Select(a => DateTimeOffset.Parse(a!["at"]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Attempts(healthyCallback), Is.EqualTo(new (int?, string?)[] { (200, null) }));
            Assert.That(Attempts(flakyCallback), Is.EqualTo(new (int?, string?)[] { (500, "HTTP 500"), (500, "HTTP 500"), (200, null) }));
            Assert.That(flakyTimes[1] - flakyTimes[0], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)), "the first retry waits at least half of 500 ms");
            Assert.That(flakyTimes[2] - flakyTimes[1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500)), "the second at least half of 1 s");
            for (var i = 0; i < Hanging; i++)
            {
                Assert.That(_receiver.Open($"hang-{i}"), Is.EqualTo(1), $"hang-{i} never answered");
                Assert.That(hangingCallbacks[i], Is.EqualTo(("pending", 0)), $"hang-{i} is still being sent, no attempt recorded");
            }
        });
    }

    /// <summary>A job of an unknown store only: it settles at submit, so its callback is due at once.</summary>
    private Task<long> SubmitSettledAsync(string hook) =>
        SubmitAsync(Client, Submission(Visit("S99999999", new Uri("https://example.com/never-fetched.jpg"))).WithCallback(_receiver.Url(hook)));
}
