using System.Globalization;
using System.Net;
using System.Text.Json;
using KC.Client;
using static KC.Api.FunctionalTests.Clients.ClientJobs;

namespace KC.Api.FunctionalTests.Clients;

/// <summary>
/// What <see cref="KcClient"/> puts on the wire and how it reads answers, against a local server
/// whose answers each test scripts: also the ones the service does not give today (a proxy's error
/// page, a member a newer service adds).
/// </summary>
public sealed class KcClientWireTests
{
    private ScriptedServer _server = null!;
    private HttpClient _http = null!;
    private KcClient _kc = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await ScriptedServer.StartAsync();
        _http = new HttpClient();
        new KcClientOptions { BaseAddress = new Uri(_server.BaseAddress, "kc"), ApiKey = "wire-key" }.ApplyTo(_http);
        _kc = new KcClient(_http);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [SetUp]
    public void Reset() => _server.Reset();

    [Test]
    public async Task SubmitAsync_WithKeyAndCallback_SendsTheSnakeCaseBodyAndTheHeaders()
    {
        _server.Answer(201, """{"job_id":41}""");
        var job = JobOf(VisitOf(KnownStore, new Uri("https://img.example.com/a.jpg")) with
        {
            VisitTime = DateTimeOffset.Parse("2025-03-11T17:30:00+05:30", CultureInfo.InvariantCulture),
        }) with { CallbackUrl = new Uri("https://hooks.example.com/kc") };

        var submitted = await _kc.SubmitAsync(job, "wire-1");

        var request = _server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(submitted, Is.EqualTo(new SubmittedJob { JobId = 41, Replayed = false }));
            Assert.That((request.Method, request.PathAndQuery), Is.EqualTo(("POST", "/kc/api/submit")));
            Assert.That(request.Body, Is.EqualTo("""{"count":1,"visits":[{"store_id":"S00339218","image_url":["https://img.example.com/a.jpg"],"visit_time":"2025-03-11T17:30:00+05:30"}],"callback_url":"https://hooks.example.com/kc"}"""));
            Assert.That(request.Headers["Content-Type"], Is.EqualTo("application/json; charset=utf-8"));
            Assert.That(request.Headers["Idempotency-Key"], Is.EqualTo("wire-1"));
            Assert.That(request.Headers["X-Api-Key"], Is.EqualTo("wire-key"));
        });
    }

    [Test]
    public async Task SubmitAsync_WithoutCallbackOrKey_LeavesBothOut()
    {
        _server.Answer(201, """{"job_id":42}""");

        await _kc.SubmitAsync(JobOf(VisitOf(KnownStore, new Uri("https://img.example.com/a.jpg"))));

        var request = _server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Body, Does.Not.Contain("callback_url"));
            Assert.That(request.Headers.ContainsKey("Idempotency-Key"), Is.False);
        });
    }

    [Test]
    public async Task SubmitAsync_WhenTheAnswerIsAReplay_SaysSo()
    {
        _server.Answer(201, """{"job_id":43}""", headers: ("Idempotent-Replayed", "true"));

        var submitted = await _kc.SubmitAsync(JobOf(VisitOf(KnownStore, new Uri("https://img.example.com/a.jpg"))), "wire-2");

        Assert.That(submitted, Is.EqualTo(new SubmittedJob { JobId = 43, Replayed = true }));
    }

    [Test]
    public async Task Queries_WithEveryFilter_SendTheContractsParameterNamesEscaped()
    {
        const string EmptyPage = """{"items":[],"page":2,"page_size":10,"total_items":0,"total_pages":0}""";
        _server.Answer(200, EmptyPage);
        _server.Answer(200, EmptyPage);
        _server.Answer(200, EmptyPage);
        var start = new DateTimeOffset(2025, 3, 11, 12, 0, 0, TimeSpan.FromHours(5.5));

        await _kc.ListJobsAsync(new JobQuery { Status = JobState.Cancelled, Page = 2, PageSize = 10 });
        await _kc.SearchVisitsAsync(new VisitQuery { Area = "700 092", StoreId = "S&1", StartDate = start, EndDate = start.AddTicks(1234567), Page = 2 });
        await _kc.ListStoresAsync(new StoreQuery { Name = "saha", PageSize = 10 });

        Assert.That(_server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[]
        {
            "/kc/api/jobs?status=cancelled&page=2&page_size=10",
            "/kc/api/visits?area=700%20092&storeid=S%261&startdate=2025-03-11T12%3A00%3A00%2B05%3A30&enddate=2025-03-11T12%3A00%3A00.1234567%2B05%3A30&page=2",
            "/kc/api/stores?q=saha&page_size=10",
        }));
    }

    [Test]
    public async Task GetJobAsync_WhenTheAnswerHasMembersThisClientDoesNotKnow_ReadsTheRest()
    {
        _server.Answer(200, """
            {"job_id":7,"status":"ongoing","created_at":"2026-11-29T07:15:34.4609347Z","completed_at":null,
             "estimated_completion_at":"2026-11-29T07:16:00Z","progress":{"total":1,"succeeded":0,"failed":0,"cancelled":0,"pending":1},
             "visits":[{"store_id":"S1","store_name":null,"area_code":null,"visit_time":"2025-03-11T12:00:00Z","status":"ongoing",
               "images":[{"image_url":"https://x/a.jpg","status":"processing","attempts":1,"width":null,"height":null,"perimeter":null,
                          "error":null,"last_error":"HTTP 503","bytes":1234,"download_ms":56,"gpu_ms":null}]}],
             "error":[],"callback":null,"priority":"high"}
            """);

        var job = await _kc.GetJobAsync(7);

        var image = job.Visits[0].Images[0];
        Assert.Multiple(() =>
        {
            Assert.That(job.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 7, 15, 34, TimeSpan.Zero).AddTicks(4609347)));
            Assert.That(job.EstimatedCompletionAt, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 7, 16, 0, TimeSpan.Zero)));
            Assert.That((image.Status, image.Attempts, image.LastError), Is.EqualTo((ImageState.Processing, 1, "HTTP 503")));
            Assert.That(_server.Requests.Single().PathAndQuery, Is.EqualTo("/kc/api/jobs/7"));
        });
    }

    [Test]
    public void GetJobAsync_WhenAMemberThisClientNeedsIsNull_ThrowsJsonException()
    {
        _server.Answer(200, """{"job_id":7,"status":"completed","created_at":"2026-11-29T07:15:34Z","progress":null,"visits":[]}""");

        Assert.ThrowsAsync<JsonException>(() => _kc.GetJobAsync(7));
    }

    [Test]
    public void GetStatusAsync_WhenTheStatusWordIsUnknown_ThrowsJsonException()
    {
        _server.Answer(200, """{"job_id":7,"status":"paused","progress":{"total":1,"succeeded":0,"failed":0,"cancelled":0,"pending":1}}""");

        Assert.ThrowsAsync<JsonException>(() => _kc.GetStatusAsync(7));
    }

    [Test]
    public void GetStatusAsync_WhenTheAnswerIs400WithAnEmptyObject_ThrowsKcNotFoundException()
    {
        _server.Answer(400, "{}");

        var refusal = Assert.ThrowsAsync<KcNotFoundException>(() => _kc.GetStatusAsync(12));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refusal.Error, Is.EqualTo("Job 12 was not found."));
            Assert.That(_server.Requests.Single().PathAndQuery, Is.EqualTo("/kc/api/status?jobid=12"));
        });
    }

    [Test]
    public void GetStatusAsync_WhenTheAnswerIs400WithAnError_ThrowsKcApiExceptionNotNotFound()
    {
        _server.Answer(400, """{"title":"The request is invalid.","status":400,"error":"jobid: must be a positive integer"}""", "application/problem+json");

        var refusal = Assert.ThrowsAsync<KcApiException>(() => _kc.GetStatusAsync(12));

        Assert.Multiple(() =>
        {
            Assert.That(refusal, Is.Not.InstanceOf<KcNotFoundException>());
            Assert.That(refusal!.Error, Is.EqualTo("jobid: must be a positive integer"));
        });
    }

    [Test]
    public void AnyRequest_WhenRefusedWithProblemDetails_CarriesStatusErrorErrorsAndTitle()
    {
        _server.Answer(400, """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid.","status":400,
             "errors":{"visits[1].image_url[0]":["must be an absolute http or https URL"],"count":["is required","must be an integer"]},
             "error":"visits[1].image_url[0]: must be an absolute http or https URL","traceId":"00-1"}
            """, "application/problem+json");

        var refusal = Assert.ThrowsAsync<KcApiException>(() => _kc.SubmitAsync(JobOf(VisitOf(KnownStore, new Uri("https://img.example.com/a.jpg")))));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refusal.Error, Is.EqualTo("visits[1].image_url[0]: must be an absolute http or https URL"));
            Assert.That(refusal.Message, Is.EqualTo(refusal.Error));
            Assert.That(refusal.Title, Is.EqualTo("The request is invalid."));
            Assert.That(refusal.Errors, Has.Count.EqualTo(2));
            Assert.That(refusal.Errors["count"], Is.EqualTo(new[] { "is required", "must be an integer" }));
        });
    }

    [Test]
    public void AnyRequest_WhenRefusedWithAnHtmlPage_ThrowsKcApiExceptionWithTheStatus()
    {
        _server.Answer(502, "<html><body>Bad gateway</body></html>", "text/html");

        var refusal = Assert.ThrowsAsync<KcApiException>(() => _kc.ListNodesAsync());

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(refusal.Error, Is.Null);
            Assert.That(refusal.Errors, Is.Empty);
            Assert.That(refusal.Message, Is.EqualTo("The KC service answered HTTP 502 (BadGateway)."));
        });
    }

    [Test]
    public void AnyRequest_WhenRefusedWith404_ThrowsKcNotFoundExceptionWithTheError()
    {
        _server.Answer(404, """{"title":"Not Found","status":404,"error":"Store X was not found."}""", "application/problem+json");

        var refusal = Assert.ThrowsAsync<KcNotFoundException>(() => _kc.GetStoreAsync("X"));

        Assert.That((refusal!.Error, refusal.Title), Is.EqualTo(("Store X was not found.", "Not Found")));
    }

    [Test]
    public void KcJson_WhenAVisitTimeHasNoOffset_RefusesToGuessOne()
    {
        const string Visit = """{"store_id":"S1","image_url":["https://x/a.jpg"],"visit_time":"2025-03-11T12:00:00"}""";

        var failure = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<VisitSubmission>(Visit, KcJson.Options));

        Assert.That(failure!.Message, Does.Contain("is not an RFC 3339 timestamp with an offset"));
    }

    [Test]
    public void KcJson_WhenAVisitTimeHasAnOffset_ReadsThatInstant()
    {
        const string Visit = """{"store_id":"S1","image_url":["https://x/a.jpg"],"visit_time":"2025-03-11T17:30:00+05:30"}""";

        var visit = JsonSerializer.Deserialize<VisitSubmission>(Visit, KcJson.Options)!;

        Assert.That(visit.VisitTime.UtcDateTime, Is.EqualTo(new DateTime(2025, 3, 11, 12, 0, 0, DateTimeKind.Utc)));
    }

    [Test]
    public void Constructor_WhenTheHttpClientHasNoBaseAddress_Throws()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentException>(() => _ = new KcClient(http));
    }

    [Test]
    public void ApplyTo_WhenTheBaseAddressIsNotHttp_ThrowsNamingTheOption()
    {
        using var http = new HttpClient();

        var failure = Assert.Throws<InvalidOperationException>(() => new KcClientOptions { BaseAddress = new Uri("ftp://kc.example.com") }.ApplyTo(http));

        Assert.That(failure!.Message, Does.Contain("KcClientOptions.BaseAddress"));
    }

    [Test]
    public void Assemblies_OfTheClientAndKc_ReferenceNoServerProject()
    {
        var client = typeof(KcClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!);
        var kc = System.Reflection.Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "kc.dll")).GetReferencedAssemblies().Select(a => a.Name!);

        Assert.Multiple(() =>
        {
            Assert.That(client.Where(n => n.StartsWith("KC.", StringComparison.Ordinal)), Is.Empty);
            Assert.That(kc.Where(n => n.StartsWith("KC.", StringComparison.Ordinal)), Is.EqualTo(new[] { "KC.Client" }));
        });
    }
}
