using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Idempotency;

/// <summary><c>Idempotency-Key</c> on <c>POST /api/submit</c>: a retried submit answers with the job it already created.</summary>
public sealed class IdempotencyTests : ServiceTestBase
{
    private const string KeyHeader = "Idempotency-Key";
    private const string ReplayedHeader = "Idempotent-Replayed";

    private int _nextImage;

    [Test]
    public async Task Submit_WhenRetriedWithTheSameKeyAndBody_ReturnsTheSameJobAndStoresItOnce()
    {
        var image = NextImage();
        var body = Submission(Visit(KnownStore, image)).ToJsonString();

        using var first = await SubmitAsync(body, "order-1001");
        using var retry = await SubmitAsync(body, "order-1001");

        var firstBody = await first.Content.ReadAsStringAsync();
        var jobId = JsonNode.Parse(firstBody)!["job_id"]!.GetValue<long>();
        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(first.Headers.Contains(ReplayedHeader), Is.False);
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(retry.Headers.GetValues(ReplayedHeader), Is.EqualTo(new[] { "true" }));
            Assert.That(await retry.Content.ReadAsStringAsync(), Is.EqualTo(firstBody));
            Assert.That(retry.Headers.Location, Is.EqualTo(first.Headers.Location));
            Assert.That(first.Headers.Location?.ToString(), Is.EqualTo($"/api/jobs/{jobId}"));
            Assert.That(IdempotencyKeyRows.JobsWithImage(Service.Database, image), Is.EqualTo(1));
            Assert.That(IdempotencyKeyRows.JobOf(Service.Database, "order-1001"), Is.EqualTo(jobId));
        });
    }

    [Test]
    public async Task Submit_WhenRetryDiffersOnlyInWhiteSpaceMemberOrderAndOffset_ReplaysTheJob()
    {
        var image = NextImage();
        var compact = $$"""{"count":1,"visits":[{"store_id":"S00339218","image_url":["{{image}}"],"visit_time":"2025-03-11T12:00:00Z"}]}""";
        var reshaped = $$"""
            {
              "visits": [ { "visit_time": "2025-03-11T17:30:00+05:30",
                            "image_url": [ " {{image}} " ],
                            "store_id": " S00339218 " } ],
              "count": 1
            }
            """;

        using var first = await SubmitAsync(compact, "reshaped-1");
        using var retry = await SubmitAsync(reshaped, "reshaped-1");

        Assert.Multiple(async () =>
        {
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created), await retry.Content.ReadAsStringAsync());
            Assert.That(retry.Headers.Contains(ReplayedHeader), Is.True);
            Assert.That(await retry.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
            Assert.That(IdempotencyKeyRows.JobsWithImage(Service.Database, image), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Submit_WhenTheKeyComesWithADifferentBody_Returns422NamingTheKey()
    {
        var image = NextImage();
        var other = NextImage();
        using var first = await SubmitAsync(Submission(Visit(KnownStore, image)).ToJsonString(), "reused-7");

        using var second = await SubmitAsync(Submission(Visit(KnownStore, other)).ToJsonString(), "reused-7");

        var problem = await Json.ReadAsync(second);
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(second.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem["error"]!.GetValue<string>(), Is.EqualTo("Idempotency-Key 'reused-7' was already used with a different request body"));
            Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(422));
            Assert.That(IdempotencyKeyRows.JobsWithImage(Service.Database, other), Is.Zero);
        });
    }

    [Test]
    public async Task Submit_WhenApiKeysAreOff_SharesTheKeyBetweenClientsWhateverApiKeyTheySend()
    {
        var image = NextImage();
        using var first = await SubmitAsync(Submission(Visit(KnownStore, image)).ToJsonString(), "shared-8", apiKey: "client-a");

        using var second = await SubmitAsync(Submission(Visit(KnownStore, NextImage())).ToJsonString(), "shared-8", apiKey: "client-b");

        Assert.That((first.StatusCode, second.StatusCode), Is.EqualTo((HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity)));
        Assert.That(IdempotencyKeyRows.ScopesOf(Service.Database, "shared-8"), Is.EqualTo(new[] { string.Empty }), "one scope for everyone");
    }

    [Test]
    public async Task Submit_WhenTheKeyHasExpired_CreatesANewJobAndPurgesExpiredKeys()
    {
        var body = Submission(Visit(KnownStore, NextImage())).ToJsonString();
        var firstJob = await CreatedJobAsync(body, "expiring-1");
        var otherJob = await CreatedJobAsync(Submission(Visit(KnownStore, NextImage())).ToJsonString(), "expiring-2");
        IdempotencyKeyRows.Expire(Service.Database, "expiring-1");
        IdempotencyKeyRows.Expire(Service.Database, "expiring-2");

        using var again = await SubmitAsync(body, "expiring-1");

        var againJob = (await Json.ReadAsync(again))["job_id"]!.GetValue<long>();
        Assert.Multiple(() =>
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(again.Headers.Contains(ReplayedHeader), Is.False);
            Assert.That(againJob, Is.Not.EqualTo(firstJob));
            Assert.That(IdempotencyKeyRows.JobOf(Service.Database, "expiring-1"), Is.EqualTo(againJob), "the key now names the new job");
            Assert.That(IdempotencyKeyRows.JobOf(Service.Database, "expiring-2"), Is.Null, $"the expired key of job {otherJob} was purged");
        });
    }

    [Test]
    public async Task Submit_WhenTenDuplicatesRaceWithOneKey_CreatesOneJob()
    {
        var image = NextImage();
        var body = Submission(Visit(KnownStore, image), Visit(OtherKnownStore, NextImage())).ToJsonString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SubmitAsync(body, "race-1")));

        try
        {
            var statuses = responses.Select(r => r.StatusCode).ToList();
            var jobIds = new List<long>();
            foreach (var response in responses)
            {
                jobIds.Add((await Json.ReadAsync(response))["job_id"]!.GetValue<long>());
            }

            Assert.Multiple(() =>
            {
                Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Created));
                Assert.That(jobIds.Distinct().Count(), Is.EqualTo(1));
                Assert.That(responses.Count(r => r.Headers.Contains(ReplayedHeader)), Is.EqualTo(9), "every response but the creator's is a replay");
                Assert.That(IdempotencyKeyRows.JobsWithImage(Service.Database, image), Is.EqualTo(1));
            });
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Test]
    public async Task Submit_WhenNoKeyIsGiven_CreatesAJobForEverySubmit()
    {
        var image = NextImage();
        var body = Submission(Visit(KnownStore, image)).ToJsonString();

        using var first = await SubmitAsync(body, key: null);
        using var second = await SubmitAsync(body, key: null);

        Assert.Multiple(() =>
        {
            Assert.That((first.StatusCode, second.StatusCode), Is.EqualTo((HttpStatusCode.Created, HttpStatusCode.Created)));
            Assert.That(second.Headers.Contains(ReplayedHeader), Is.False);
            Assert.That(IdempotencyKeyRows.JobsWithImage(Service.Database, image), Is.EqualTo(2));
        });
    }

    [TestCase("")]
    [TestCase("tab\tinside")]
    [TestCase(null, 201)]
    public async Task Submit_WhenTheKeyIsMalformed_Returns400NamingTheHeader(string? key, int length = 0)
    {
        key ??= new string('k', length);
        var image = NextImage();

        using var response = await SubmitAsync(Submission(Visit(KnownStore, image)).ToJsonString(), key);

        var problem = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem["error"]!.GetValue<string>(), Is.EqualTo("Idempotency-Key: must be 1 to 200 printable ASCII characters"));
            Assert.That(IdempotencyKeyRows.JobsWithImage(Service.Database, image), Is.Zero);
        });
    }

    [Test]
    public async Task Submit_WhenTheKeyIsTwoHundredPrintableCharacters_AcceptsIt()
    {
        var key = string.Concat(Enumerable.Repeat("Az09 -_.~!", 20));

        using var response = await SubmitAsync(Submission(Visit(KnownStore, NextImage())).ToJsonString(), key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(IdempotencyKeyRows.JobOf(Service.Database, key), Is.Not.Null);
    }

    private Uri NextImage()
    {
        var n = Interlocked.Increment(ref _nextImage);
        return Images.Url($"/img/{n}x{n + 100}.png");
    }

    private async Task<HttpResponseMessage> SubmitAsync(string body, string? key, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/submit", UriKind.Relative)) { Content = Json.Body(body) };
        if (key is not null)
        {
            Assert.That(request.Headers.TryAddWithoutValidation(KeyHeader, key), Is.True);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await Client.SendAsync(request);
    }

    private async Task<long> CreatedJobAsync(string body, string key)
    {
        using var response = await SubmitAsync(body, key);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await Json.ReadAsync(response))["job_id"]!.GetValue<long>();
    }
}
