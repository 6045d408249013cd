using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Idempotency;

/// <summary>
/// With <c>Api:Keys</c> set, each API key has idempotency keys of its own: two clients that happen
/// to pick the same <c>Idempotency-Key</c> get a job each, and each retry replays its own.
/// </summary>
public sealed class ScopedIdempotencyKeyTests : ServiceTestBase
{
    private const string ClientA = "client-a-secret";
    private const string ClientB = "client-b-secret";

    private int _nextImage;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:Keys:0"] = ClientA,
        ["Api:Keys:1"] = ClientB,
    };

    [Test]
    public async Task Submit_WhenTwoApiKeysSendTheSameIdempotencyKey_CreatesAJobForEachAndReplaysEachOwn()
    {
        var bodyA = Submission(Visit(KnownStore, NextImage())).ToJsonString();
        var bodyB = Submission(Visit(OtherKnownStore, NextImage(), NextImage())).ToJsonString();

        using var firstA = await SubmitAsync(bodyA, ClientA);
        using var firstB = await SubmitAsync(bodyB, ClientB);
        using var retryA = await SubmitAsync(bodyA, ClientA);
        using var retryB = await SubmitAsync(bodyB, ClientB);
        using var crossed = await SubmitAsync(bodyB, ClientA);

        var (jobA, jobB) = (await JobOf(firstA), await JobOf(firstB));
        Assert.Multiple(async () =>
        {
            Assert.That(
                new[] { firstA.StatusCode, firstB.StatusCode, retryA.StatusCode, retryB.StatusCode },
                Is.All.EqualTo(HttpStatusCode.Created));
            Assert.That(jobB, Is.Not.EqualTo(jobA), "the second client's submit is a job of its own, not a 422");
            Assert.That(firstB.Headers.Contains("Idempotent-Replayed"), Is.False);
            Assert.That((await JobOf(retryA), await JobOf(retryB)), Is.EqualTo((jobA, jobB)), "each retry replays its own client's job");
            Assert.That(retryA.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(crossed.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), "within one client the key still binds its body");
        });
    }

    [Test]
    public async Task Submit_WhenApiKeysAreSet_StoresAFingerprintOfTheApiKeyAndNeverTheKey()
    {
        using var response = await SubmitAsync(Submission(Visit(KnownStore, NextImage())).ToJsonString(), ClientA, "fingerprinted-1");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(IdempotencyKeyRows.ScopesOf(Service.Database, "fingerprinted-1"), Is.EqualTo(new[] { Sha256Hex(ClientA) }));
        Assert.That(IdempotencyKeyRows.StoredTextOf(Service.Database, "fingerprinted-1"), Has.None.Contains(ClientA));
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<long> JobOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job_id"]!.GetValue<long>();

    private Uri NextImage()
    {
        var n = Interlocked.Increment(ref _nextImage);
        return Images.Url($"/img/{n}x{n + 200}.png");
    }

    private async Task<HttpResponseMessage> SubmitAsync(string body, string apiKey, string idempotencyKey = "order-1001")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/submit", UriKind.Relative)) { Content = Json.Body(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Headers.Add("X-Api-Key", apiKey);
        return await Client.SendAsync(request);
    }
}
