using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Faults;

/// <summary>
/// Malformed bodies and odd requests, generated field by field: every one gets a 4xx with a JSON
/// error, none a 5xx or a hang, and the service still processes a normal job afterwards.
/// </summary>
public sealed class HostileInputTests : ServiceTestBase
{
    private const string GoodVisit = """{"store_id":"S00339218","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}""";

    private static readonly string[] WrongValues =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e400", "-99999999999999999999999", "\"\"", "\" \"", "\"x\"", "{}", "[]", "[null]", "[1]", "[[]]", "[{}]",
        "\"" + new string('a', 70_000) + "\"",
    ];

    [Test]
    public async Task Service_WhenSentHostileInput_AnswersEachWith4xxAndKeepsWorking()
    {
        var requests = HostileRequests().ToList();
        var failures = new List<string>();
        using var client = Service.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(15);

        foreach (var (name, request) in requests)
        {
            using (request)
            {
                try
                {
                    using var response = await client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    var status = (int)response.StatusCode;
                    // Kestrel refuses a malformed request target itself, before the application, with a bare 400.
                    var protocolLevel = name.Contains("%00", StringComparison.Ordinal) && name.StartsWith("jobs/", StringComparison.Ordinal);
                    if (status is < 400 or >= 500 || (!protocolLevel && !HasError(text)))
                    {
                        failures.Add($"{name}: {status} {Truncate(text)}");
                    }
                }
                catch (TaskCanceledException)
                {
                    failures.Add($"{name}: no answer within 15 s");
                }
            }
        }

        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/40x30.png"))));
        var settled = await WaitUntilSettledAsync(Client, jobId);

        await TestContext.Out.WriteLineAsync($"Hostile inputs tried: {requests.Count}; answered wrongly: {failures.Count}.");
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Count.GreaterThanOrEqualTo(100));
            Assert.That(failures, Is.Empty);
            Assert.That(settled["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        });
    }

    private static IEnumerable<(string Name, HttpRequestMessage Request)> HostileRequests()
    {
        foreach (var value in WrongValues.Where(v => v is not ("0" or "-1")))
        {
            yield return Submit($"count = {Truncate(value)}", $$"""{"count":{{value}},"visits":[{{GoodVisit}}]}""");
        }

        foreach (var value in WrongValues)
        {
            yield return Submit($"visits = {Truncate(value)}", $$"""{"count":1,"visits":{{value}}}""");
            if (value != "\"x\"")
            {
                yield return Submit($"visits[0].store_id = {Truncate(value)}", VisitWith("store_id", value));
            }
            yield return Submit($"visits[0].image_url = {Truncate(value)}", VisitWith("image_url", value));
            yield return Submit($"visits[0].visit_time = {Truncate(value)}", VisitWith("visit_time", value));
        }

        string[] badUrls = ["not a url", "javascript:alert(1)", "file:///etc/passwd", "http://", "//example.com/a.jpg", "ftp://example.com/a.jpg", "http://exa mple.com/a.jpg", "http://example.com/" + new string('a', 5000)];
        foreach (var url in badUrls)
        {
            yield return Submit($"image_url entry {Truncate(url)}", VisitWith("image_url", JsonSerializerString([url])));
        }

        string[] badTimes = ["2025-13-45T99:99:99Z", "2025-03-11", "12:00", "2025-03-11T12:00:00", "2025-03-11T12:00:00+25:00", "yesterday", "2025-03-11T12:00:00ZZ"];
        foreach (var time in badTimes)
        {
            yield return Submit($"visit_time {time}", VisitWith("visit_time", $"\"{time}\""));
        }

        yield return Submit("deep nesting", "{\"count\":1,\"visits\":" + new string('[', 5000) + new string(']', 5000) + "}");
        yield return Submit("deep object nesting", string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3000));
        yield return Submit("duplicate count", $$"""{"count":1,"count":2,"visits":[{{GoodVisit}}]}""");
        yield return Submit("duplicate store_id", """{"count":1,"visits":[{"store_id":"A","store_id":"B","image_url":["http://e.com/a"],"visit_time":"2025-03-11T12:00:00Z"}]}""");
        yield return Submit("truncated JSON", $$"""{"count":1,"visits":[{{GoodVisit}}""");
        yield return Submit("trailing garbage", $$"""{"count":1,"visits":[{{GoodVisit}}]} trailing""");
        yield return Submit("comment", $$"""{"count":1, /* hi */ "visits":[{{GoodVisit}}]}""");
        yield return Submit("trailing comma", $$"""{"count":1,"visits":[{{GoodVisit}}],}""");
        yield return Submit("NaN count", $$"""{"count":NaN,"visits":[{{GoodVisit}}]}""");
        yield return Submit("single quotes", "{'count':1}");
        yield return Submit("empty object", "{}");
        yield return Submit("null body", "null");
        yield return Submit("whitespace body", new string(' ', 10_000));
        yield return Submit("number body", "42");
        yield return Submit("lone surrogate", "{\"count\":1,\"visits\":[{\"store_id\":\"\\ud800\",\"image_url\":[\"http://e.com/a\"],\"visit_time\":\"x\"}]}");
        yield return Submit("count mismatch, huge count", $$"""{"count":2147483647,"visits":[{{GoodVisit}}]}""");
        yield return Submit("count mismatch, negative", $$"""{"count":-1,"visits":[{{GoodVisit}}]}""");
        yield return Submit("count zero with a visit", $$"""{"count":0,"visits":[{{GoodVisit}}]}""");

        var invalidUtf8 = new ByteArrayContent([.. "{\"count\":1,\"visits\":[{\"store_id\":\""u8, 0xC3, 0x28, 0xFF, 0xFE, .. "\"}]}"u8]);
        invalidUtf8.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        yield return ("invalid UTF-8", new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = invalidUtf8 });

        foreach (var contentType in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png" })
        {
            var content = new StringContent($$"""{"count":1,"visits":[{{GoodVisit}}]}""", Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            yield return ($"content type {contentType}", new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = content });
        }

        var noType = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"count":1,"visits":[{{GoodVisit}}]}"""));
        yield return ("no content type", new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = noType });

        string[] statusQueries = ["", "?jobid=", "?jobid=abc", "?jobid=0", "?jobid=-1", "?jobid=1.0", "?jobid=1e3", "?jobid=0x10", "?jobid=%00", "?jobid=%20", "?jobid=99999999999999999999999", "?jobid=" + new string('9', 5000), "?job_id=1", "?jobid[]=1", "?jobid=NaN", "?jobid=Infinity"];
        foreach (var query in statusQueries)
        {
            yield return ($"status {Truncate(query)}", new HttpRequestMessage(HttpMethod.Get, "/api/status" + query));
        }

        string[] jobPaths = ["abc", "0", "-1", "1.5", "1e3", "99999999999999999999999", "%00", "%20", "NaN", "0x10", new string('9', 3000)];
        foreach (var path in jobPaths)
        {
            yield return ($"jobs/{Truncate(path)}", new HttpRequestMessage(HttpMethod.Get, "/api/jobs/" + path));
        }

        yield return ("GET submit", new HttpRequestMessage(HttpMethod.Get, "/api/submit"));
        yield return ("PUT status", new HttpRequestMessage(HttpMethod.Put, "/api/status?jobid=1"));
        yield return ("DELETE job", new HttpRequestMessage(HttpMethod.Delete, "/api/jobs/1"));
        yield return ("unknown endpoint", new HttpRequestMessage(HttpMethod.Get, "/api/nothing-here"));
    }

    private static (string, HttpRequestMessage) Submit(string name, string body) =>
        (name, new HttpRequestMessage(HttpMethod.Post, "/api/submit") { Content = Json.Body(body) });

    private static string VisitWith(string member, string value)
    {
        var visit = JsonNode.Parse(GoodVisit)!.AsObject();
        visit[member] = JsonNode.Parse(value);
        return $$"""{"count":1,"visits":[{{visit.ToJsonString()}}]}""";
    }

    private static string JsonSerializerString(string[] values) => new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()).ToJsonString();

    private static bool HasError(string text)
    {
        try
        {
            var json = JsonNode.Parse(text) as JsonObject;
            return json is not null && (json.ContainsKey("error") || json.ContainsKey("type"));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
