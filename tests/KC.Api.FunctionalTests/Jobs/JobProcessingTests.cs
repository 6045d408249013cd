using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary>Jobs processed end to end: real downloads from the local image server, real decoding, real SQLite.</summary>
public sealed class JobProcessingTests : ServiceTestBase
{
    [Test]
    public async Task Job_WhenEveryImageDecodes_CompletesWithExactSizes()
    {
        var images = new (string Path, int Width, int Height)[]
        {
            ("/img/640x480.jpg", 640, 480),
            ("/img/33x17.png", 33, 17),
            ("/img/1x1.webp", 1, 1),
            ("/img/320x200.gif", 320, 200),
            ("/img/17x33.bmp", 17, 33),
        };
        var body = Submission(
            Visit(KnownStore, images.Take(3).Select(i => Images.Url(i.Path)).ToArray()),
            Visit(OtherKnownStore, images.Skip(3).Select(i => Images.Url(i.Path)).ToArray()));

        var jobId = await SubmitAsync(Client, body);
        var status = await WaitUntilSettledAsync(Client, jobId);
        var details = await Client.GetJsonAsync($"/api/jobs/{jobId}");

        var results = details["visits"]!.AsArray().SelectMany(v => v!["images"]!.AsArray()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(status.ToJsonString(), Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"completed","progress":{"total":5,"succeeded":5,"failed":0,"cancelled":0,"pending":0}}"""));
            Assert.That(details["status"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(details["completed_at"]!.GetValue<string>(), Does.EndWith("Z"));
            Assert.That(details["progress"]!.ToJsonString(), Is.EqualTo("""{"total":5,"succeeded":5,"failed":0,"cancelled":0,"pending":0}"""));
            Assert.That(details["visits"]![0]!["store_name"]!.GetValue<string>(), Is.EqualTo("BHARAT STORE"));
            Assert.That(details["visits"]![0]!["area_code"]!.GetValue<string>(), Is.EqualTo("710006"));
            Assert.That(results, Has.Count.EqualTo(images.Length));
            for (var i = 0; i < images.Length; i++)
            {
                var (path, width, height) = images[i];
                Assert.That(results[i]!["image_url"]!.GetValue<string>(), Is.EqualTo(Images.Url(path).ToString()));
                Assert.That(results[i]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), path);
                Assert.That(results[i]!["width"]!.GetValue<int>(), Is.EqualTo(width), path);
                Assert.That(results[i]!["height"]!.GetValue<int>(), Is.EqualTo(height), path);
                Assert.That(results[i]!["perimeter"]!.GetValue<long>(), Is.EqualTo(2L * (width + height)), path);
                Assert.That(results[i]!["error"], Is.Null, path);
            }
        });
    }

    [Test]
    public async Task Job_WhenStoreIsUnknown_FailsWithoutDownloading()
    {
        var url = Images.Url("/img/64x64.png?unknown-store");
        var body = Submission(Visit("NO-SUCH-STORE", url));

        var jobId = await SubmitAsync(Client, body);
        var status = await WaitUntilSettledAsync(Client, jobId);

        Assert.Multiple(() =>
        {
            Assert.That(
                status.ToJsonString(),
                Is.EqualTo($$"""{"job_id":{{jobId}},"status":"failed","progress":{"total":1,"succeeded":0,"failed":1,"cancelled":0,"pending":0},"error":[{"store_id":"NO-SUCH-STORE","error":"unknown store_id"}]}"""));
            Assert.That(Images.RequestCount("/img/64x64.png"), Is.Zero, "an unknown store's images are never downloaded");
        });
    }

    [Test]
    public async Task Job_WhenOneImageIs404_FailsOnlyThatStoreAndKeepsTheOtherResults()
    {
        var missing = Images.Url("/status/404");
        var body = Submission(
            Visit(KnownStore, Images.Url("/img/100x50.png"), Images.Url("/img/10x20.jpg")),
            Visit(OtherKnownStore, Images.Url("/img/30x40.png"), missing));

        var jobId = await SubmitAsync(Client, body);
        var status = await WaitUntilSettledAsync(Client, jobId);
        var details = await Client.GetJsonAsync($"/api/jobs/{jobId}");

        var first = details["visits"]![0]!;
        var second = details["visits"]![1]!;
        Assert.Multiple(() =>
        {
            Assert.That(
                status.ToJsonString(),
                Is.EqualTo($$"""{"job_id":{{jobId}},"status":"failed","progress":{"total":4,"succeeded":3,"failed":1,"cancelled":0,"pending":0},"error":[{"store_id":"{{OtherKnownStore}}","error":"{{missing}}: HTTP 404"}]}"""));
            Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(first["images"]![0]!["perimeter"]!.GetValue<long>(), Is.EqualTo(300));
            Assert.That(first["images"]![1]!["perimeter"]!.GetValue<long>(), Is.EqualTo(60));
            Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(second["images"]![0]!["perimeter"]!.GetValue<long>(), Is.EqualTo(140));
            Assert.That(second["images"]![1]!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(second["images"]![1]!["error"]!.GetValue<string>(), Is.EqualTo("HTTP 404"));
            Assert.That(second["images"]![1]!["width"], Is.Null);
            Assert.That(Images.RequestCount("/status/404"), Is.EqualTo(1), "a 404 is permanent and not retried");
        });
    }

    private static IEnumerable<TestCaseData> BrokenImages()
    {
        yield return new TestCaseData("/status/500", "HTTP 500").SetArgDisplayNames("server error after retries");
        yield return new TestCaseData("/not-an-image", "not a decodable image").SetArgDisplayNames("HTML instead of an image");
        yield return new TestCaseData("/truncated-header.png", "not a decodable image").SetArgDisplayNames("truncated header");
        yield return new TestCaseData("/cut-off/200x100.jpg", "the connection closed before").SetArgDisplayNames("body cut off");
    }

    [TestCaseSource(nameof(BrokenImages))]
    public async Task Job_WhenImageIsBroken_FailsThatImageWithAClearError(string path, string expectedError)
    {
        var body = Submission(Visit(KnownStore, Images.Url(path), Images.Url("/img/8x8.png")));

        var jobId = await SubmitAsync(Client, body);
        var status = await WaitUntilSettledAsync(Client, jobId);
        var details = await Client.GetJsonAsync($"/api/jobs/{jobId}");

        var broken = details["visits"]![0]!["images"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(status["error"]![0]!["error"]!.GetValue<string>(), Does.StartWith($"{Images.Url(path)}: {expectedError}"));
            Assert.That(broken["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(broken["error"]!.GetValue<string>(), Does.StartWith(expectedError));
            Assert.That(details["visits"]![0]!["images"]![1]!["perimeter"]!.GetValue<long>(), Is.EqualTo(32));
        });
    }

    [Test]
    public async Task Job_WhenServerFailsTransiently_RetriesAndShowsAttemptsAndLastError()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/flaky/retry-once/1/50x60.png"), Images.Url("/status/503"), Images.Url("/img/6x6.png")));

        var jobId = await SubmitAsync(Client, body);
        await WaitUntilSettledAsync(Client, jobId);
        var images = (await Client.GetJsonAsync($"/api/jobs/{jobId}"))["visits"]![0]!["images"]!;

        Assert.Multiple(() =>
        {
            Assert.That(Images.RequestCount("/flaky/retry-once/1/50x60.png"), Is.EqualTo(2));
            Assert.That(images[0]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
            Assert.That(images[0]!["attempts"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(images[0]!["last_error"]!.GetValue<string>(), Is.EqualTo("HTTP 503"));
            Assert.That(images[0]!["error"], Is.Null);
            Assert.That(images[1]!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(images[1]!["attempts"]!.GetValue<int>(), Is.EqualTo(2), "Processing:MaxAttempts is 2 in these tests");
            Assert.That(images[1]!["last_error"]!.GetValue<string>(), Is.EqualTo("HTTP 503"));
            Assert.That(images[2]!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(images[2]!["last_error"], Is.Null);
        });
    }

    [Test]
    public async Task Status_WhileImagesArePending_IsOngoing()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/slow/1500/20x20.png")));

        var jobId = await SubmitAsync(Client, body);
        var status = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        var settled = await WaitUntilSettledAsync(Client, jobId);

        Assert.Multiple(() =>
        {
            Assert.That(status.ToJsonString(), Is.EqualTo($$$"""{"job_id":{{{jobId}}},"status":"ongoing","progress":{"total":1,"succeeded":0,"failed":0,"cancelled":0,"pending":1}}"""));
            Assert.That(settled["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        });
    }
}
