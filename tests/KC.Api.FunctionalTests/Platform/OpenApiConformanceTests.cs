using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>
/// The document is the wire: every endpoint's real responses — successes and every error it can
/// give — are listed in the served document with their status and media type, and every member
/// they carry is one the document declares, of the type it declares. The document's own examples
/// conform too.
/// </summary>
public sealed class OpenApiConformanceTests : ServiceTestBase
{
    private const string Key = "conformance-key-0123456789";

    private readonly List<(string Method, string Template, HttpStatusCode Status, string? MediaType, string Body)> _seen = [];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:Keys:0"] = Key,
        ["Api:SubmitRateLimit:PermitsPerWindow"] = "12",
        ["Api:SubmitRateLimit:WindowSeconds"] = "3600",
    };

    [Test]
    public async Task Responses_OfEveryEndpoint_AreTheOnesTheDocumentDescribes()
    {
        var document = new DocumentSchemas(await Client.GetJsonAsync("/openapi/v1.json"));
        await ExerciseEveryEndpointAsync();

        var problems = new List<string>();
        foreach (var (method, template, status, mediaType, body) in _seen)
        {
            var name = $"{method} {template} {(int)status} {mediaType}";
            var schema = document.ResponseSchema(method, template, (int)status, mediaType ?? "none");
            if (schema is null)
            {
                problems.Add($"{name}: not in the document");
                continue;
            }

            if (mediaType is "application/json" or "application/problem+json")
            {
                problems.AddRange(document.Check(JsonNode.Parse(body), schema).Select(p => $"{name}: {p}"));
            }
        }

        Assert.That(_seen.Select(s => (s.Method, s.Template, (int)s.Status)).Distinct().Count(), Is.GreaterThanOrEqualTo(30), "every endpoint and its errors are exercised");
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task Examples_InTheDocument_ConformToTheirSchemas()
    {
        var json = await Client.GetJsonAsync("/openapi/v1.json");
        var document = new DocumentSchemas(json);

        var problems = new List<string>();
        var examples = 0;
        foreach (var (path, item) in json["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var (status, response) in operation!["responses"]!.AsObject())
                {
                    foreach (var (mediaType, content) in response!["content"]?.AsObject() ?? [])
                    {
                        if (content!["example"] is { } example)
                        {
                            examples++;
                            problems.AddRange(document.Check(example, content["schema"]!).Select(p => $"{method} {path} {status} {mediaType}: {p}"));
                        }
                    }
                }
            }
        }

        Assert.That(examples, Is.GreaterThanOrEqualTo(6), "the examples were found");
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task Document_RequestSchemas_RequireWhatTheValidatorRequires()
    {
        var json = await Client.GetJsonAsync("/openapi/v1.json");
        var document = new DocumentSchemas(json);
        var schemas = json["components"]!["schemas"]!;

        var submitExample = json["paths"]!["/api/submit"]!["post"]!["requestBody"]!["content"]!["application/json"]!;
        Assert.Multiple(() =>
        {
            Assert.That(Required(schemas["SubmitJobRequest"]!), Is.SupersetOf(new[] { "count", "visits" }));
            Assert.That(Required(schemas["VisitRequest"]!), Is.SupersetOf(new[] { "store_id", "image_url", "visit_time" }));
            Assert.That(Required(schemas["SubmitJobRequest"]!), Does.Not.Contain("callback_url"));
            Assert.That(document.Check(submitExample["example"], submitExample["schema"]!), Is.Empty, "the submit example conforms to the request schema");
            Assert.That(document.Check(JsonNode.Parse("""{"visits":[]}"""), submitExample["schema"]!), Is.Not.Empty, "a body without count does not");
        });
    }

    [Test]
    public async Task Document_StatusMembers_ListTheirWords()
    {
        var schemas = (await Client.GetJsonAsync("/openapi/v1.json"))["components"]!["schemas"]!;

        Assert.Multiple(() =>
        {
            Assert.That(Words(schemas["JobStatusResponse"]!, "status"), Is.EqualTo(new[] { "ongoing", "completed", "failed", "cancelled" }));
            Assert.That(Words(schemas["JobSummaryResponse"]!, "status"), Is.EqualTo(new[] { "ongoing", "completed", "failed", "cancelled" }));
            Assert.That(Words(schemas["ImageResponse"]!, "status"), Is.EqualTo(new[] { "pending", "processing", "succeeded", "failed", "cancelled" }));
            Assert.That(Words(schemas["CallbackResponse"]!, "status"), Is.EqualTo(new[] { "pending", "delivered", "failed" }));
            Assert.That(Words(schemas["NodeResponse"]!, "state"), Is.EqualTo(new[] { "alive", "stopped", "lost" }));
        });
    }

    [Test]
    public async Task Document_Descriptions_HoldEachParagraphOnOneLine()
    {
        var json = await Client.GetJsonAsync("/openapi/v1.json");

        var wrapped = Texts(json).Where(text => text.Replace("\n\n", "", StringComparison.Ordinal).Contains('\n', StringComparison.Ordinal)).ToList();

        Assert.That(Texts(json).Count(), Is.GreaterThan(20), "the descriptions were found");
        Assert.That(wrapped, Is.Empty, "texts with a line break inside a paragraph (a generated client joins the lines with no space)");
    }

    private static IEnumerable<string> Required(JsonNode schema) => (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>());

    private static IEnumerable<string> Words(JsonNode schema, string member) =>
        (schema["properties"]![member]!["enum"] as JsonArray ?? []).Select(w => w!.GetValue<string>());

    /// <summary>Every summary and description in the document, however deep.</summary>
    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key is "summary" or "description" && p.Value is JsonValue value && value.TryGetValue<string>(out var text)
            ? [text]
            : Texts(p.Value)),
        JsonArray array => array.SelectMany(Texts),
        _ => [],
    };

    private async Task ExerciseEveryEndpointAsync()
    {
        var image = Images.Url("/img/20x10.png");
        var good = Submission(Visit(KnownStore, image, Images.Url("/img/21x10.png")));
        var completed = await SubmitSeenAsync(good, key: Key);
        var failedJob = await SubmitSeenAsync(Submission(Visit("NO-SUCH-STORE", image)), key: Key);
        await WaitUntilSettledAsync(Client, completed);
        await WaitUntilSettledAsync(Client, failedJob);
        var slow = await SubmitSeenAsync(Submission(Visit(KnownStore, Images.Url("/slow/60000/22x10.png"))), key: Key);

        // Submit and its errors.
        await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", Json.Body(good));
        await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", Json.Body("""{"count":1}"""), Key);
        await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", new StringContent("a,b", Encoding.UTF8, "text/csv"), Key);
        await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", Json.Body(good), Key, idempotencyKey: "conformance-1");
        await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", Json.Body(Submission(Visit(KnownStore, image))), Key, idempotencyKey: "conformance-1");
        while (!_seen.Exists(s => s.Status == HttpStatusCode.TooManyRequests))
        {
            await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", Json.Body("""{"count":1}"""), Key);
        }

        // Status, in every state and error.
        await GetAsync($"/api/status?jobid={completed}", "/api/status");
        await GetAsync($"/api/status?jobid={failedJob}", "/api/status");
        await GetAsync($"/api/status?jobid={slow}", "/api/status");
        await GetAsync("/api/status?jobid=999999", "/api/status");
        await GetAsync("/api/status", "/api/status");
        await GetAsync("/api/status?jobid=1&jobid=2", "/api/status");

        // Details, the list, the CSV.
        await GetAsync($"/api/jobs/{completed}", "/api/jobs/{job_id}");
        await GetAsync($"/api/jobs/{failedJob}", "/api/jobs/{job_id}");
        await GetAsync($"/api/jobs/{slow}", "/api/jobs/{job_id}");
        await GetAsync("/api/jobs/999999", "/api/jobs/{job_id}");
        await GetAsync("/api/jobs/x", "/api/jobs/{job_id}");
        await GetAsync("/api/jobs?status=failed&page=1&page_size=10", "/api/jobs");
        await GetAsync("/api/jobs?status=lost", "/api/jobs");
        await GetAsync($"/api/jobs/{completed}/results.csv", "/api/jobs/{job_id}/results.csv");
        await GetAsync("/api/jobs/999999/results.csv", "/api/jobs/{job_id}/results.csv");
        await GetAsync("/api/jobs/0/results.csv", "/api/jobs/{job_id}/results.csv");

        // Cancel.
        await SendAsync(HttpMethod.Post, $"/api/jobs/{slow}/cancel", "/api/jobs/{job_id}/cancel", null, Key);
        await SendAsync(HttpMethod.Post, $"/api/jobs/{completed}/cancel", "/api/jobs/{job_id}/cancel", null, Key);
        await SendAsync(HttpMethod.Post, "/api/jobs/999999/cancel", "/api/jobs/{job_id}/cancel", null, Key);
        await SendAsync(HttpMethod.Post, "/api/jobs/x/cancel", "/api/jobs/{job_id}/cancel", null, Key);
        await SendAsync(HttpMethod.Post, $"/api/jobs/{slow}/cancel", "/api/jobs/{job_id}/cancel", null);

        // Retry: a failed job of an unknown store, once the store is in the master; then the refusals.
        await SendAsync(HttpMethod.Post, "/api/stores/import", "/api/stores/import", new StringContent("AreaCode,StoreName,StoreID\n710006,LATE STORE,NO-SUCH-STORE\n", Encoding.UTF8, "text/csv"), Key);
        await SendAsync(HttpMethod.Post, $"/api/jobs/{failedJob}/retry", "/api/jobs/{job_id}/retry", null, Key);
        await SendAsync(HttpMethod.Post, $"/api/jobs/{completed}/retry", "/api/jobs/{job_id}/retry", null, Key);
        await SendAsync(HttpMethod.Post, "/api/jobs/999999/retry", "/api/jobs/{job_id}/retry", null, Key);
        await SendAsync(HttpMethod.Post, "/api/jobs/x/retry", "/api/jobs/{job_id}/retry", null, Key);
        await SendAsync(HttpMethod.Post, $"/api/jobs/{failedJob}/retry", "/api/jobs/{job_id}/retry", null);

        // Visits, stores, the import, nodes.
        await GetAsync($"/api/visits?storeid={KnownStore}&startdate=2020-01-01&enddate=2030-01-01", "/api/visits");
        await GetAsync("/api/visits?startdate=yesterday", "/api/visits");
        await GetAsync("/api/stores?q=store&page_size=5", "/api/stores");
        await GetAsync("/api/stores?page=0", "/api/stores");
        await GetAsync($"/api/stores/{KnownStore}", "/api/stores/{store_id}");
        await GetAsync("/api/stores/NO-SUCH-STORE", "/api/stores/{store_id}");
        var csv = "AreaCode,StoreName,StoreID\n710006,CONFORMANCE STORE,CONF-1\n,,\n";
        await SendAsync(HttpMethod.Post, "/api/stores/import", "/api/stores/import", new StringContent(csv, Encoding.UTF8, "text/csv"), Key);
        await SendAsync(HttpMethod.Post, "/api/stores/import", "/api/stores/import", new StringContent("no header here", Encoding.UTF8, "text/csv"), Key);
        await SendAsync(HttpMethod.Post, "/api/stores/import", "/api/stores/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        await GetAsync("/api/nodes", "/api/nodes");
    }

    private async Task<long> SubmitSeenAsync(JsonObject body, string key)
    {
        var response = await SendAsync(HttpMethod.Post, "/api/submit", "/api/submit", Json.Body(body), key);
        return JsonNode.Parse(response)!["job_id"]!.GetValue<long>();
    }

    private Task<string> GetAsync(string uri, string template) => SendAsync(HttpMethod.Get, uri, template, null);

    private async Task<string> SendAsync(HttpMethod method, string uri, string template, HttpContent? content, string? key = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(uri, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        _seen.Add((method.Method, template, response.StatusCode, MediaType(response.Content.Headers.ContentType), body));
        return body;
    }

    private static string? MediaType(MediaTypeHeaderValue? contentType) => contentType?.MediaType;
}
