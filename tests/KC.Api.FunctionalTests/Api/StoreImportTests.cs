using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Api;

/// <summary><c>POST /api/stores/import</c>: the start-up importer, reached by upload.</summary>
public sealed class StoreImportTests : ServiceTestBase
{
    private const int Limit = 2048;
    private const string FileRequired = "file: is required: send the CSV as the multipart/form-data field file, or as a text/csv body";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:MaxStoreImportBytes"] = Limit.ToString(CultureInfo.InvariantCulture),
    };

    [Test]
    public async Task Import_WhenMultipartFileIsUploaded_UpsertsTheStoresAndReportsRejectedRowsByLine()
    {
        const string csv =
            "AreaCode,StoreName,StoreID\r\n" +
            "560001,MG ROAD GENERAL STORE,S00000001\r\n" +
            "400001,\"FORT PROVISIONS, NEW WING\",S00000003\r\n" +
            "411001,\"PUNE \"\"FRESH\"\" STORES, CAMP\",S10000001\r\n" +
            "411002,,S10000002\r\n";

        using var response = await PostAsync(Multipart(csv));

        var body = await response.Content.ReadAsStringAsync();
        var inserted = await Client.GetStringAsync(new Uri("/api/stores/S10000001", UriKind.Relative));
        var updated = await Client.GetJsonAsync("/api/stores/S00000003");
        using var rejected = await Client.GetAsync(new Uri("/api/stores/S10000002", UriKind.Relative));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Is.EqualTo("""{"inserted":1,"updated":1,"unchanged":1,"rejected":[{"line":5,"reason":"blank store_name"}],"rejected_total":1}"""));
            Assert.That(inserted, Is.EqualTo("""{"store_id":"S10000001","store_name":"PUNE \"FRESH\" STORES, CAMP","area_code":"411001"}"""));
            Assert.That(updated["store_name"]!.GetValue<string>(), Is.EqualTo("FORT PROVISIONS, NEW WING"));
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Import_WhenCsvIsTheRequestBody_ImportsItWithTheSnakeCaseHeaderInAnyOrder()
    {
        const string csv =
            "store_id,store_name,area_code\n" +
            "S20000001,BODY STORE,110002\n" +
            "S20000002,\"TWO\nLINES\",110003\n" +
            "S20000003,MISSING A FIELD\n" +
            "S20000001,DUPLICATE,110002";

        using var response = await PostAsync(new StringContent(csv, Encoding.UTF8, "text/csv"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(
                body,
                Is.EqualTo("""{"inserted":2,"updated":0,"unchanged":0,"rejected":[{"line":5,"reason":"expected 3 fields, found 2"},{"line":6,"reason":"duplicate store_id S20000001 (first seen on line 2)"}],"rejected_total":2}"""));
        });
    }

    [Test]
    public async Task Import_WhenSameFileIsUploadedTwice_ReportsEveryRowUnchangedTheSecondTime()
    {
        const string csv = "AreaCode,StoreName,StoreID\n110004,AGAIN STORE,S30000001\n";
        using (var first = await PostAsync(new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var second = await PostAsync(new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo("""{"inserted":0,"updated":0,"unchanged":1,"rejected":[],"rejected_total":0}"""));
    }

    [Test]
    public async Task Import_WhenMultipartHasNoFileField_Returns400SayingTheFileIsRequired()
    {
        using var content = new MultipartFormDataContent { { new StringContent("AreaCode,StoreName,StoreID\n1,A,S1\n"), "upload", "stores.csv" } };

        var problem = await Problems.ReadAsync(await PostAsync(content));

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", FileRequired)));
    }

    [Test]
    public async Task Import_WhenRequestHasNoBody_Returns400SayingTheFileIsRequired()
    {
        var problem = await Problems.ReadAsync(await PostAsync(null));

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", FileRequired)));
    }

    [TestCase("application/json")]
    [TestCase("text/plain")]
    [TestCase("application/x-www-form-urlencoded")]
    public async Task Import_WhenContentTypeIsNeitherMultipartNorCsv_Returns400NamingIt(string mediaType)
    {
        using var content = new StringContent("AreaCode,StoreName,StoreID\n1,A,S1\n", Encoding.UTF8, mediaType);

        var problem = await Problems.ReadAsync(await PostAsync(content));

        Assert.That(
            problem,
            Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", $"Content-Type: must be multipart/form-data, with the CSV in the field file, or text/csv; got {mediaType}")));
    }

    [Test]
    public async Task Import_WhenMultipartHasNoBoundary_Returns400NamingTheContentType()
    {
        using var content = new StringContent("--x\r\n", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");

        var problem = await Problems.ReadAsync(await PostAsync(content));

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", "Content-Type: multipart/form-data needs a boundary parameter")));
    }

    [Test]
    public async Task Import_WhenMultipartBodyEndsInsideTheFile_Returns400SayingTheFileCouldNotBeRead()
    {
        const string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\n\r\nAreaCode,StoreName,StoreID\r\n1,A,S40000001\r\n";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        var problem = await Problems.ReadAsync(await PostAsync(content));
        using var store = await Client.GetAsync(new Uri("/api/stores/S40000001", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(problem.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.Error, Does.StartWith("file: could not be read: "));
            Assert.That(store.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing is imported from a broken upload");
        });
    }

    [Test]
    public async Task Import_WhenMultipartBodyNeverReachesItsBoundary_Returns400NamingTheBody()
    {
        using var content = new StringContent("AreaCode,StoreName,StoreID\r\n1,A,S40000002\r\n", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        var problem = await Problems.ReadAsync(await PostAsync(content));

        Assert.Multiple(() =>
        {
            Assert.That(problem.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.Error, Does.StartWith("body: is not a readable multipart/form-data body ("));
        });
    }

    [TestCase("AreaCode,StoreName,Id\n1,A,S1\n", "file: The store master header lacks the required column(s) StoreID (or store_id); header found: 'AreaCode,StoreName,Id'.")]
    [TestCase("", "file: The store master is empty: no header row was found.")]
    public async Task Import_WhenHeaderIsUnusable_Returns400AndImportsNothing(string csv, string expectedError)
    {
        var problem = await Problems.ReadAsync(await PostAsync(Multipart(csv)));

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", expectedError)));
    }

    [Test]
    public async Task Import_WhenBodyDeclaresMoreThanTheLimit_Returns400NamingTheLimit()
    {
        var csv = OverTheLimit("S50000001");

        var problem = await Problems.ReadAsync(await PostAsync(new StringContent(csv, Encoding.UTF8, "text/csv")));
        using var store = await Client.GetAsync(new Uri("/api/stores/S50000001", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(
                problem,
                Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", $"file: is {Encoding.UTF8.GetByteCount(csv)} bytes, over the limit of {Limit} bytes (Api:MaxStoreImportBytes)")));
            Assert.That(store.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Import_WhenMultipartFileIsLargerThanTheLimit_Returns400NamingTheLimit()
    {
        var problem = await Problems.ReadAsync(await PostAsync(Multipart(OverTheLimit("S50000002"))));
        using var store = await Client.GetAsync(new Uri("/api/stores/S50000002", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", $"file: exceeds the limit of {Limit} bytes (Api:MaxStoreImportBytes)")));
            Assert.That(store.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Import_WhenChunkedBodyPassesTheLimit_Returns400NamingTheLimit()
    {
        // A stream of unknown length makes the client send the body chunked, without a Content-Length.
        using var stream = new NonSeekableStream(Encoding.UTF8.GetBytes(OverTheLimit("S50000003")));
        using var content = new StreamContent(stream);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");

        // The factory's client buffers request bodies (to replay them on a redirect); a plain one streams them.
        using var client = new HttpClient { BaseAddress = Client.BaseAddress };

        using var response = await client.PostAsync(new Uri("/api/stores/import", UriKind.Relative), content);

        var problem = await Problems.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(content.Headers.ContentLength, Is.Null);
            Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", $"file: exceeds the limit of {Limit} bytes (Api:MaxStoreImportBytes)")));
        });
    }

    private static string OverTheLimit(string storeId)
    {
        var csv = new StringBuilder($"AreaCode,StoreName,StoreID\n110001,FIRST ROW STORE,{storeId}\n");
        for (var i = 0; csv.Length <= Limit; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"110001,FILLER STORE {i},F{i:D8}\n");
        }

        return csv.ToString();
    }

    private static MultipartFormDataContent Multipart(string csv)
    {
        var file = new StringContent(csv, Encoding.UTF8, "text/csv");
        return new MultipartFormDataContent { { new StringContent("a note"), "note" }, { file, "file", "stores.csv" } };
    }

    private async Task<HttpResponseMessage> PostAsync(HttpContent? content)
    {
        using (content)
        {
            return await Client.PostAsync(new Uri("/api/stores/import", UriKind.Relative), content);
        }
    }

    /// <summary>Hides the length of its bytes, as a stream read from a pipe or a socket would.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
