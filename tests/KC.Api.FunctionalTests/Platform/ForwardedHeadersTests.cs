using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>Behind a configured proxy, the submit rate limit counts the client the proxy names.</summary>
public sealed class ForwardedHeadersTests : ServiceTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:SubmitRateLimit:PermitsPerWindow"] = "1",
        ["Api:SubmitRateLimit:WindowSeconds"] = "3600",
        ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        ["ForwardedHeaders:KnownProxies:1"] = "::1",
    };

    [Test]
    public async Task Submit_WhenATrustedProxyNamesTheClient_LimitsEachClientOnItsOwn()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/4x4.png")));

        using var first = await SubmitFromAsync(Client, body, "203.0.113.1");
        using var second = await SubmitFromAsync(Client, body, "203.0.113.2");
        using var firstAgain = await SubmitFromAsync(Client, body, "203.0.113.1");

        Assert.That(
            new[] { first.StatusCode, second.StatusCode, firstAgain.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
    }

    internal static async Task<HttpResponseMessage> SubmitFromAsync(HttpClient client, JsonObject body, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = Json.Body(body) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }
}

/// <summary>With no proxy configured, <c>X-Forwarded-For</c> is anyone's to send, so it is ignored.</summary>
public sealed class UntrustedForwardedHeadersTests : ServiceTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:SubmitRateLimit:PermitsPerWindow"] = "1",
        ["Api:SubmitRateLimit:WindowSeconds"] = "3600",
    };

    [Test]
    public async Task Submit_WhenNoProxyIsConfigured_IgnoresTheForwardedClient()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/5x5.png")));

        using var first = await ForwardedHeadersTests.SubmitFromAsync(Client, body, "203.0.113.1");
        using var second = await ForwardedHeadersTests.SubmitFromAsync(Client, body, "203.0.113.2");

        Assert.That(
            new[] { first.StatusCode, second.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
    }
}
