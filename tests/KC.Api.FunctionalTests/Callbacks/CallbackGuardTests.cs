using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Callbacks.Callbacks;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Callbacks;

/// <summary>With private networks refused, a callback to a loopback receiver is refused by the network guard, like an image download.</summary>
public sealed class CallbackGuardTests : ServiceTestBase
{
    private CallbackReceiver _receiver = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Processing:AllowPrivateNetworks"] = "false",
        ["Callbacks:PollMilliseconds"] = "50",
        ["Callbacks:RetryDelayMilliseconds"] = "100",
    };

    [OneTimeSetUp]
    public async Task StartReceiverAsync() => _receiver = await CallbackReceiver.StartAsync();

    [OneTimeTearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    [Test]
    public async Task Callback_WhenTheGuardRefusesTheAddress_FailsAtOnceWithoutARequest()
    {
        // Unknown stores only: the job settles at submit, with no download for the guard to refuse first.
        var hook = _receiver.Url("refused");
        var jobId = await SubmitAsync(Client, Submission(Visit("S99999999", new Uri("https://example.com/never-fetched.jpg"))).WithCallback(hook));

        var callback = await WaitForCallbackAsync(Client, jobId, "failed");

        Assert.Multiple(() =>
        {
            Assert.That(
                Attempts(callback),
                Is.EqualTo(new (int?, string?)[] { (null, "address 127.0.0.1 of 127.0.0.1 is refused by the network guard (loopback); set Processing:AllowPrivateNetworks to allow it") }));
            Assert.That(_receiver.Received("refused"), Is.Empty);
        });
    }
}
