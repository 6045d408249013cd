using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Callbacks.Callbacks;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Callbacks;

/// <summary><c>callback_url</c>: when a job settles, KC POSTs its status body to a real local receiver, retrying until it is accepted.</summary>
public sealed class CallbackTests : ServiceTestBase
{
    private CallbackReceiver _receiver = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Callbacks:PollMilliseconds"] = "50",
        ["Callbacks:RetryDelayMilliseconds"] = "100",
        ["Callbacks:MaxAttempts"] = "4",
    };

    [OneTimeSetUp]
    public async Task StartReceiverAsync() => _receiver = await CallbackReceiver.StartAsync();

    [OneTimeTearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    [Test]
    public async Task Callback_WhenReceiverFailsOnceThenAccepts_DeliversTheStatusBodyOnTheSecondAttempt()
    {
        _receiver.Script("fails-once", 500);
        var hook = _receiver.Url("fails-once");
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/31x17.png"), Images.Url("/img/32x17.png"))).WithCallback(hook));
        await WaitUntilSettledAsync(Client, jobId);

        var callback = await WaitForCallbackAsync(Client, jobId, "delivered");

        var status = await StatusBodyAsync(Client, jobId);
        var received = _receiver.Received("fails-once");
        var attemptTimes = callback["attempts"]!.AsArray().Select(a => DateTimeOffset.Parse(a!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"completed","progress":{"total":2,"succeeded":2,"failed":0,"cancelled":0,"pending":0}}"""));
            Assert.That(received.Select(r => (r.Method, r.ContentType, r.Body, r.AnsweredWith)), Is.EqualTo(new[]
            {
                ("POST", "application/json", status, 500),
                ("POST", "application/json", status, 200),
            }));
            Assert.That(callback["url"]!.GetValue<string>(), Is.EqualTo(hook.ToString()));
            Assert.That(Attempts(callback), Is.EqualTo(new (int?, string?)[] { (500, "HTTP 500"), (200, null) }));
            Assert.That(attemptTimes, Is.Ordered);
            Assert.That(callback["attempts"]![0]!["at"]!.GetValue<string>(), Does.EndWith("Z"));
        });
    }

    [Test]
    public async Task Callback_WhenJobFails_PostsTheFailedStatusWithItsErrorList()
    {
        var hook = _receiver.Url("failed-job");
        var jobId = await SubmitAsync(
            Client,
            Submission(Visit(KnownStore, Images.Url("/status/404?a=1&b=<2>")), Visit("S9999-Ünïcødé \"quoted\"", Images.Url("/img/33x17.png"))).WithCallback(hook));
        await WaitUntilSettledAsync(Client, jobId);

        await WaitForCallbackAsync(Client, jobId, "delivered");

        var status = await StatusBodyAsync(Client, jobId);
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.Parse(status)!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(JsonNode.Parse(status)!["error"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(_receiver.Received("failed-job").Select(r => r.Body), Is.EqualTo(new[] { status }), "the same bytes, escaping included");
        });
    }

    [Test]
    public async Task Callback_WhenJobIsCancelled_PostsTheCancelledStatus()
    {
        var hook = _receiver.Url("cancelled-job");
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/34x17.png"))).WithCallback(hook));
        var pending = (await Client.GetJsonAsync($"/api/jobs/{jobId}"))["callback"]!;

        using var cancel = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);
        var callback = await WaitForCallbackAsync(Client, jobId, "delivered");

        var status = await StatusBodyAsync(Client, jobId);
        Assert.Multiple(() =>
        {
            Assert.That(pending.ToJsonString(), Is.EqualTo($$"""{"url":"{{hook}}","status":"pending","attempts":[]}"""), "pending until the job settles");
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(JsonNode.Parse(status)!["status"]!.GetValue<string>(), Is.EqualTo("cancelled"));
            Assert.That(_receiver.Received("cancelled-job").Select(r => r.Body), Is.EqualTo(new[] { status }));
            Assert.That(Attempts(callback), Is.EqualTo(new (int?, string?)[] { (200, null) }));
        });
    }

    [Test]
    public async Task Callback_WhenReceiverKeepsFailing_GivesUpAfterMaxAttempts()
    {
        _receiver.Script("always-fails", 503, 503, 503, 503, 503, 503);
        var jobId = await SubmitAsync(Client, Submission(Visit("S99999999", new Uri("https://example.com/never-fetched.jpg"))).WithCallback(_receiver.Url("always-fails")));

        var callback = await WaitForCallbackAsync(Client, jobId, "failed");

        Assert.Multiple(() =>
        {
            Assert.That(Attempts(callback), Is.EqualTo(Enumerable.Repeat<(int?, string?)>((503, "HTTP 503"), 4)));
            Assert.That(_receiver.Received("always-fails"), Has.Count.EqualTo(4));
        });
    }

    [Test]
    public async Task Callback_WhenReceiverIsUnreachable_RecordsTheConnectionError()
    {
        // A port that was just free: nothing listens there.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var jobId = await SubmitAsync(Client, Submission(Visit("S99999999", new Uri("https://example.com/never-fetched.jpg"))).WithCallback(new Uri($"http://127.0.0.1:{port}/hook")));

        var callback = await WaitForCallbackAsync(Client, jobId, "failed");

        Assert.That(Attempts(callback).Select(a => (a.StatusCode, a.Error is { Length: > 0 })), Is.EqualTo(Enumerable.Repeat<(int?, bool)>((null, true), 4)));
    }

    [Test]
    public async Task Details_WhenJobHasNoCallbackUrl_ShowsCallbackAsNull()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit("S99999999", new Uri("https://example.com/never-fetched.jpg"))));

        var details = (await Client.GetJsonAsync($"/api/jobs/{jobId}")).AsObject();

        Assert.That(details.TryGetPropertyValue("callback", out var callback) && callback is null, Is.True, details.ToJsonString());
    }

    [TestCase("ftp://hooks.example.com/done", "callback_url: must be an absolute http or https URL")]
    [TestCase("/hooks/relative", "callback_url: must be an absolute http or https URL")]
    [TestCase("", "callback_url: must be an absolute http or https URL")]
    public async Task Submit_WhenCallbackUrlIsNotAnAbsoluteHttpUrl_Returns400NamingCallbackUrl(string url, string error)
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/35x17.png")));
        body["callback_url"] = url;

        using var response = await Client.PostJsonAsync("/api/submit", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Json.ReadAsync(response))["error"]!.GetValue<string>(), Is.EqualTo(error));
    }

    [Test]
    public async Task Submit_WhenCallbackUrlIsTooLong_Returns400NamingTheLimit()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/36x17.png")));
        body["callback_url"] = "https://hooks.example.com/" + new string('a', 2048);

        using var response = await Client.PostJsonAsync("/api/submit", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await Json.ReadAsync(response))["error"]!.GetValue<string>(),
            Is.EqualTo("callback_url: exceeds the limit of 2048 characters per URL (Api:MaxUrlLength)"));
    }

    [Test]
    public async Task Submit_WhenCallbackUrlIsNotAString_Returns400NamingCallbackUrl()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/37x17.png")));
        body["callback_url"] = 42;

        using var response = await Client.PostJsonAsync("/api/submit", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Json.ReadAsync(response))["error"]!.GetValue<string>(), Does.StartWith("callback_url"));
    }
}
