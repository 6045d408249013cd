using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary><c>POST /api/jobs/{id}/cancel</c>: in-flight work stops, pending work never starts, finished jobs refuse.</summary>
public sealed class CancellationTests : ServiceTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Processing:MaxConcurrency"] = "1",
        ["Processing:DownloadConcurrency"] = "2",
    };

    [Test]
    public async Task Cancel_WhenJobIsOngoing_StopsInFlightDownloadsAndNeverStartsPendingImages()
    {
        // Two downloads that would take a minute each occupy both download slots; ten more wait behind them.
        var slow = new[] { Images.Url("/slow/60000/11x11.png"), Images.Url("/slow/60000/12x12.png") };
        var pending = Enumerable.Range(1, 10).Select(i => Images.Url($"/img/{i}x7.png")).ToArray();
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, [.. slow, .. pending])));
        await WaitForRequestsAsync("/slow/60000/11x11.png", "/slow/60000/12x12.png");

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);
        var body = await Json.ReadAsync(response);

        // Both download slots are free again only if the cancellation reached the two downloads.
        var next = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/21x21.png"))));
        var nextStatus = await WaitUntilSettledAsync(Client, next, TimeSpan.FromSeconds(30));
        var status = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        var details = await Client.GetJsonAsync($"/api/jobs/{jobId}");
        var states = details["visits"]![0]!["images"]!.AsArray().Select(i => i!["status"]!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.ToJsonString(), Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"cancelled","progress":{"total":12,"succeeded":0,"failed":0,"cancelled":12,"pending":0}}"""));
            Assert.That(status.ToJsonString(), Is.EqualTo(body.ToJsonString()));
            Assert.That(details["completed_at"]?.GetValue<string>(), Is.Not.Null);
            Assert.That(states, Is.All.EqualTo("cancelled"));
            Assert.That(pending.Sum(u => Images.RequestCount(u.AbsolutePath)), Is.Zero, "pending images never start");
            Assert.That(nextStatus["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        });
    }

    [Test]
    public async Task Cancel_WhenSomeImagesHaveSucceeded_ReportsProgressThatAddsUp()
    {
        // Three quick images settle; the slow ones are in flight or waiting when the cancel comes.
        var quick = Enumerable.Range(1, 3).Select(i => Images.Url($"/img/{i}x9.png")).ToArray();
        var slow = Enumerable.Range(1, 4).Select(i => Images.Url($"/slow/60000/{i}x8.png")).ToArray();
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, [.. quick, .. slow])));
        await WaitForSucceededAsync(jobId, 3);

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);

        var progress = (await Json.ReadAsync(response))["progress"]!;
        var details = await Client.GetJsonAsync($"/api/jobs/{jobId}");
        var listed = (await Client.GetJsonAsync("/api/jobs?status=cancelled"))["items"]!.AsArray().Single(j => j!["job_id"]!.GetValue<long>() == jobId)!;
        var cancelledImages = details["visits"]![0]!["images"]!.AsArray().Count(i => i!["status"]!.GetValue<string>() == "cancelled");
        Assert.Multiple(() =>
        {
            Assert.That(progress.ToJsonString(), Is.EqualTo("""{"total":7,"succeeded":3,"failed":0,"cancelled":4,"pending":0}"""));
            Assert.That(cancelledImages, Is.EqualTo(4));
            Assert.That(details["progress"]!.ToJsonString(), Is.EqualTo(progress.ToJsonString()));
            Assert.That(listed["progress"]!.ToJsonString(), Is.EqualTo(progress.ToJsonString()));
        });
    }

    [Test]
    public async Task Cancel_WhenCalledTwice_AnswersCancelledBothTimes()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/13x13.png"))));

        using var first = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);
        using var second = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Json.ReadAsync(second))["status"]!.GetValue<string>(), Is.EqualTo("cancelled"));
        });
    }

    [Test]
    public async Task Cancel_WhenJobHasFinished_Returns409WithAClearError()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/5x5.png"))));
        await WaitUntilSettledAsync(Client, jobId);

        using var response = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);

        var json = await Json.ReadAsync(response);
        var status = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(json["error"]!.GetValue<string>(), Is.EqualTo($"Job {jobId} is already completed; only an ongoing job can be cancelled."));
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        });
    }

    [Test]
    public async Task Cancel_WhenJobDoesNotExist_Returns404()
    {
        using var response = await Client.PostAsync(new Uri("/api/jobs/987654321/cancel", UriKind.Relative), null);

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(json["error"]!.GetValue<string>(), Is.EqualTo("Job 987654321 was not found."));
        });
    }

    private async Task WaitForSucceededAsync(long jobId, int count)
    {
        var succeeded = 0;
        for (var i = 0; i < 600 && succeeded < count; i++)
        {
            succeeded = (await Client.GetJsonAsync($"/api/status?jobid={jobId}"))["progress"]!["succeeded"]!.GetValue<int>();
            await Task.Delay(50);
        }

        Assert.That(succeeded, Is.EqualTo(count), "the quick images did not all succeed in time");
    }

    private async Task WaitForRequestsAsync(params string[] paths)
    {
        for (var i = 0; i < 600 && !paths.All(p => Images.RequestCount(p) > 0); i++)
        {
            await Task.Delay(50);
        }

        Assert.That(paths.Select(Images.RequestCount), Is.All.Positive, "the slow downloads never started");
    }
}
