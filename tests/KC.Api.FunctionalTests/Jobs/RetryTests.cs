using System.Net;
using System.Text;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using static KC.Api.FunctionalTests.Callbacks.Callbacks;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary>
/// <c>POST /api/jobs/{id}/retry</c> against the real service: a failed job's failed images go back
/// in the queue and are downloaded again, the job settles again and its callback is sent again;
/// any other job is refused.
/// </summary>
public sealed class RetryTests : ServiceTestBase
{
    private CallbackReceiver _receiver = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Callbacks:PollMilliseconds"] = "50",
    };

    [OneTimeSetUp]
    public async Task StartReceiverAsync() => _receiver = await CallbackReceiver.StartAsync();

    [OneTimeTearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    [Test]
    public async Task Retry_WhenTheImageServerWasFixed_RequeuesTheFailedImageAndTheJobCompletes()
    {
        var missing = Images.Url("/files/retry-fixed.png");
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/41x20.png"), missing)));
        Assert.That((await WaitUntilSettledAsync(Client, jobId))["status"]!.GetValue<string>(), Is.EqualTo("failed"));
        Images.AddFile("retry-fixed.png", TestImages.Png(42, 20), "image/png");

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/retry", UriKind.Relative), null);
        var body = await Json.ReadAsync(response);

        var settled = await WaitUntilSettledAsync(Client, jobId);
        var image = (await Client.GetJsonAsync($"/api/jobs/{jobId}"))["visits"]![0]!["images"]![1]!;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.ToJsonString(), Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"ongoing","progress":{"total":2,"succeeded":1,"failed":0,"cancelled":0,"pending":1}}"""));
            Assert.That(settled.ToJsonString(), Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"completed","progress":{"total":2,"succeeded":2,"failed":0,"cancelled":0,"pending":0}}"""));
            Assert.That((image["status"]!.GetValue<string>(), image["perimeter"]!.GetValue<long>(), image["error"]), Is.EqualTo(("succeeded", 124L, (System.Text.Json.Nodes.JsonNode?)null)));
            Assert.That((image["attempts"]!.GetValue<int>(), image["last_error"]!.GetValue<string>()), Is.EqualTo((2, "HTTP 404")), "the first download is kept in the history");
            Assert.That(Images.RequestCount("/img/41x20.png"), Is.EqualTo(1), "the image that had succeeded is not downloaded again");
        });
    }

    [Test]
    public async Task Retry_WhenAStoreWasImportedSinceTheSubmit_RetriesItsImagesAndKeepsStillUnknownStoresFailed()
    {
        var jobId = await SubmitAsync(Client, Submission(
            Visit("RETRY-LATE-STORE", Images.Url("/img/43x20.png")),
            Visit("RETRY-NEVER-STORE", Images.Url("/img/44x20.png"))));
        await WaitUntilSettledAsync(Client, jobId);
        using var import = await Client.PostAsync(
            new Uri("/api/stores/import", UriKind.Relative),
            new StringContent("AreaCode,StoreName,StoreID\n710006,LATE STORE,RETRY-LATE-STORE\n", Encoding.UTF8, "text/csv"));

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/retry", UriKind.Relative), null);

        var settled = await WaitUntilSettledAsync(Client, jobId);
        var visits = (await Client.GetJsonAsync($"/api/jobs/{jobId}"))["visits"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(settled.ToJsonString(), Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"failed","progress":{"total":2,"succeeded":1,"failed":1,"cancelled":0,"pending":0},"error":[{"store_id":"RETRY-NEVER-STORE","error":"unknown store_id"}]}"""));
            Assert.That(visits.Select(v => (v!["store_name"]?.GetValue<string>(), v["status"]!.GetValue<string>())), Is.EqualTo(new[] { ((string?)"LATE STORE", "completed"), (null, "failed") }));
        });
    }

    [Test]
    public async Task Retry_WhenEveryFailureIsOfAStoreStillUnknown_Answers409AndTheJobStaysFailed()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit("RETRY-NOWHERE", Images.Url("/img/45x20.png"))));
        var before = await Client.GetJsonAsync($"/api/status?jobid={jobId}");

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/retry", UriKind.Relative), null);

        var problem = await Json.ReadAsync(response);
        var after = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem["error"]!.GetValue<string>(), Is.EqualTo($"Job {jobId} has no image to retry: every failed image belongs to a store that is not in the store master; import the store first."));
            Assert.That(after.ToJsonString(), Is.EqualTo(before.ToJsonString()));
        });
    }

    [Test]
    public async Task Retry_WhenJobHasCompleted_Answers409NamingItsStatus()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/46x20.png"))));
        await WaitUntilSettledAsync(Client, jobId);

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/retry", UriKind.Relative), null);

        var problem = await Json.ReadAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["error"]!.GetValue<string>(), Is.EqualTo($"Job {jobId} is completed; only a failed job can be retried."));
    }

    [Test]
    public async Task Retry_WhenJobIsOngoing_Answers409AndLeavesItRunning()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/47x20.png"))));

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/retry", UriKind.Relative), null);

        var problem = await Json.ReadAsync(response);
        using var cancel = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["error"]!.GetValue<string>(), Is.EqualTo($"Job {jobId} is ongoing; only a failed job can be retried."));
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK), "it was still ongoing");
    }

    [Test]
    public async Task Retry_WhenJobDoesNotExist_Answers404()
    {
        using var response = await Client.PostAsync(new Uri("/api/jobs/987654321/retry", UriKind.Relative), null);

        var problem = await Json.ReadAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(problem["error"]!.GetValue<string>(), Is.EqualTo("Job 987654321 was not found."));
    }

    [Test]
    public async Task Retry_WhenTheJobHasACallback_SendsItAgainWithTheStatusTheJobSettlesInTheSecondTime()
    {
        var hook = _receiver.Url("retried-job");
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/files/retry-callback.png"))).WithCallback(hook));
        await WaitUntilSettledAsync(Client, jobId);
        await WaitForCallbackAsync(Client, jobId, "delivered");
        var failedBody = await StatusBodyAsync(Client, jobId);
        Images.AddFile("retry-callback.png", TestImages.Png(48, 20), "image/png");

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/retry", UriKind.Relative), null);
        await WaitUntilSettledAsync(Client, jobId);
        var callback = await WaitForCallbackAsync(Client, jobId, "delivered");

        var completedBody = await StatusBodyAsync(Client, jobId);
        var received = await _receiver.WaitForAsync("retried-job", 2, TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(received.Select(r => r.Body), Is.EqualTo(new[] { failedBody, completedBody }));
            Assert.That(completedBody, Does.Contain("\"status\":\"completed\""));
            Assert.That(Attempts(callback), Is.EqualTo(new (int?, string?)[] { (200, null) }), "the second settling's delivery, on its own");
        });
    }
}
