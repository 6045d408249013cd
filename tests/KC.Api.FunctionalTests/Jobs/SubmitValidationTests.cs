using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary>Every 400 case of CONTRACT §1, each with the sentence that names the field.</summary>
public sealed class SubmitValidationTests : ServiceTestBase
{
    private const string Visit = """{"store_id":"S00339218","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}""";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:MaxImagesPerJob"] = "3",
        ["Api:MaxUrlLength"] = "60",
        ["Api:MaxRequestBodyBytes"] = "4096",
    };

    private static IEnumerable<TestCaseData> InvalidBodies()
    {
        yield return Case("not JSON", "nope", "body: is not valid JSON");
        yield return Case("an array", "[]", "body: must be a JSON object");
        yield return Case("a string", "\"job\"", "body: must be a JSON object");
        yield return Case("count missing", $$"""{"visits":[{{Visit}}]}""", "count: is required");
        yield return Case("count a string", $$"""{"count":"1","visits":[{{Visit}}]}""", "count: must be an integer");
        yield return Case("count fractional", $$"""{"count":1.5,"visits":[{{Visit}}]}""", "count: must be an integer");
        yield return Case("count mismatch", $$"""{"count":2,"visits":[{{Visit}}]}""", "count: must equal the number of visits (1), but is 2");
        yield return Case("visits missing", """{"count":1}""", "visits: is required");
        yield return Case("visits empty", """{"count":0,"visits":[]}""", "visits: must contain at least one visit");
        yield return Case("visits not an array", """{"count":1,"visits":{}}""", "visits: must be an array");
        yield return Case("visit null", """{"count":1,"visits":[null]}""", "visits[0]: must be an object");
        yield return Case("visit a number", """{"count":1,"visits":[7]}""", "visits[0]: must be an object");
        yield return Case(
            "store_id missing",
            """{"count":1,"visits":[{"image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].store_id: is required and must not be blank");
        yield return Case(
            "store_id blank",
            """{"count":1,"visits":[{"store_id":"  ","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].store_id: is required and must not be blank");
        yield return Case(
            "image_url missing",
            """{"count":1,"visits":[{"store_id":"S1","visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].image_url: is required");
        yield return Case(
            "image_url empty",
            """{"count":1,"visits":[{"store_id":"S1","image_url":[],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].image_url: must contain at least one image URL");
        yield return Case(
            "image_url a string",
            """{"count":1,"visits":[{"store_id":"S1","image_url":"http://example.com/a.jpg","visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].image_url: must be an array");
        yield return Case(
            "image_url relative, in the second visit",
            $$"""{"count":2,"visits":[{{Visit}},{"store_id":"S1","image_url":["/c.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[1].image_url[0]: must be an absolute http or https URL");
        yield return Case(
            "image_url ftp",
            """{"count":1,"visits":[{"store_id":"S1","image_url":["ftp://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].image_url[0]: must be an absolute http or https URL");
        yield return Case(
            "visit_time missing",
            """{"count":1,"visits":[{"store_id":"S1","image_url":["http://example.com/a.jpg"]}]}""",
            "visits[0].visit_time: is required");
        yield return Case(
            "visit_time not a timestamp",
            """{"count":1,"visits":[{"store_id":"S1","image_url":["http://example.com/a.jpg"],"visit_time":"yesterday"}]}""",
            "visits[0].visit_time: must be an RFC 3339 timestamp with an offset, such as 2025-03-11T12:00:00Z");
        yield return Case(
            "visit_time without offset",
            """{"count":1,"visits":[{"store_id":"S1","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00"}]}""",
            "visits[0].visit_time: must be an RFC 3339 timestamp with an offset, such as 2025-03-11T12:00:00Z");
        yield return Case(
            "too many images",
            """{"count":1,"visits":[{"store_id":"S1","image_url":["http://e.com/1","http://e.com/2","http://e.com/3","http://e.com/4"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits: hold 4 images, over the limit of 3 images per job (Api:MaxImagesPerJob)");
        yield return Case(
            "URL too long",
            $$"""{"count":1,"visits":[{"store_id":"S1","image_url":["http://example.com/{{new string('a', 60)}}"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].image_url[0]: exceeds the limit of 60 characters per URL (Api:MaxUrlLength)");
        yield return Case(
            "a misspelt member",
            $$"""{"count":1,"visits":[{{Visit}}],"callbackUrl":"http://example.com/hook"}""",
            "callbackUrl: is not a known member; did you mean callback_url?");
        yield return Case(
            "a misspelt member beside the right one",
            """{"count":1,"visits":[{"store_id":"S1","image_url":["http://example.com/a.jpg"],"imageUrl":["http://example.com/b.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].imageUrl: is not a known member; did you mean image_url?");
        yield return Case(
            "a member no request has",
            $$"""{"count":1,"visits":[{{Visit}}],"priority":"high"}""",
            "priority: is not a known member");
        yield return Case(
            "a member given twice",
            $$"""{"count":1,"count":1,"visits":[{{Visit}}]}""",
            "count: is given more than once; give it once");
        yield return Case(
            "a visit's member given twice",
            """{"count":1,"visits":[{"store_id":"S1","store_id":"S2","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "visits[0].store_id: is given more than once; give it once");
        yield return Case(
            "body too large",
            $$"""{"count":1,"visits":[{"store_id":"{{new string('x', 5000)}}","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T12:00:00Z"}]}""",
            "body: exceeds the request body size limit of 4096 bytes (Api:MaxRequestBodyBytes)");
    }

    [TestCaseSource(nameof(InvalidBodies))]
    public async Task Submit_WhenBodyIsInvalid_Returns400NamingTheField(string body, string expectedError)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync(new Uri("/api/submit", UriKind.Relative), content);

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo(expectedError));
            Assert.That(json["status"]?.GetValue<int>(), Is.EqualTo(400));
        });
    }

    [Test]
    public async Task Submit_WhenBodyIsMissing_Returns400()
    {
        using var content = new StringContent(string.Empty, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync(new Uri("/api/submit", UriKind.Relative), content);

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo("body: a JSON object is required"));
        });
    }

    [Test]
    public async Task Submit_WhenContentTypeIsNotJson_Returns415WithError()
    {
        using var content = new StringContent($$"""{"count":1,"visits":[{{Visit}}]}""", Encoding.UTF8, "text/plain");

        using var response = await Client.PostAsync(new Uri("/api/submit", UriKind.Relative), content);

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo("body: the Content-Type must be application/json"));
        });
    }

    [TestCase("/api/submit")]
    [TestCase("/api/submit/")]
    public async Task Submit_WhenValid_Returns201WithIdAndLocation(string path)
    {
        var body = JsonNode.Parse($$"""{"count":1,"visits":[{"store_id":"S00339218","image_url":["http://example.com/a.jpg"],"visit_time":"2025-03-11T17:30:00+05:30"}]}""")!;

        using var response = await Client.PostJsonAsync(path, body);

        var json = await Json.ReadAsync(response);
        var jobId = json["job_id"]!.GetValue<long>();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(jobId, Is.Positive);
            Assert.That(json.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "job_id" }));
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/jobs/{jobId}"));
        });
    }

    [TestCase("/api/status?jobid=1&jobid=2", "jobid: is given 2 times; give it once")]
    [TestCase("/api/jobs?status=failed&status=ongoing", "status: is given 2 times; give it once")]
    [TestCase("/api/visits?area=1&area=2&area=3", "area: is given 3 times; give it once")]
    public async Task Query_WhenAParameterIsGivenTwice_Returns400NamingIt(string uri, string expectedError)
    {
        using var response = await Client.GetAsync(new Uri(uri, UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo(expectedError));
        });
    }

    private static TestCaseData Case(string name, string body, string error) =>
        new TestCaseData(body, error).SetArgDisplayNames(name);
}
