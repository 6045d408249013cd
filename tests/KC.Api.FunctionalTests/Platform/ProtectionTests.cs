using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>The per-client submit rate limit and the optional API key on write endpoints.</summary>
public sealed class ProtectionTests : ServiceTestBase
{
    private const string Key = "test-key-0123456789";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:SubmitRateLimit:PermitsPerWindow"] = "3",
        ["Api:SubmitRateLimit:WindowSeconds"] = "3600",
        ["Api:Keys:0"] = Key,
    };

    [Test]
    public async Task Submit_WhenApiKeyIsMissingOrWrong_Returns401NamingTheHeader()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/3x3.png")));

        using var missing = await Client.PostJsonAsync("/api/submit", body);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = Json.Body(body) };
        wrong.Headers.Add("X-Api-Key", "not-the-key");
        using var wrongResponse = await Client.SendAsync(wrong);
        using var cancel = await Client.PostAsync(new Uri("/api/jobs/1/cancel", UriKind.Relative), null);

        var missingJson = await Json.ReadAsync(missing);
        var wrongJson = await Json.ReadAsync(wrongResponse);
        Assert.Multiple(() =>
        {
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(missingJson["error"]!.GetValue<string>(), Is.EqualTo("X-Api-Key: an API key is required for this endpoint"));
            Assert.That(wrongResponse.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongJson["error"]!.GetValue<string>(), Is.EqualTo("X-Api-Key: the API key is not valid"));
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Status_WhenApiKeysAreConfigured_NeedsNoKey()
    {
        using var response = await Client.GetAsync(new Uri("/api/status?jobid=999999", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Submit_WhenClientExceedsTheRateLimit_Returns429WithRetryAfter()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = Json.Body(Submission(Visit(KnownStore, Images.Url($"/img/{i + 1}x2.png")))) };
            request.Headers.Add("X-Api-Key", Key);
            var response = await Client.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused?.Dispose();
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        var json = await Json.ReadAsync(refused!);
        Assert.Multiple(() =>
        {
            // Earlier tests in this class may have used permits of the same window, so count the refusals.
            Assert.That(statuses.Count(s => s == HttpStatusCode.Created), Is.LessThanOrEqualTo(3));
            Assert.That(statuses.Last(), Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(refused!.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
            Assert.That(json["error"]!.GetValue<string>(), Does.StartWith("too many submits: at most 3 per 3600 s per client (Api:SubmitRateLimit)"));
        });
        refused!.Dispose();
    }
}
