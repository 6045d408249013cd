using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Api;

/// <summary><c>GET /api/jobs/{job_id}/results.csv</c>: one RFC 4180 row per image, streamed.</summary>
public sealed class JobResultsCsvTests : ServiceTestBase
{
    private const string Header = "store_id,store_name,area_code,visit_time,image_url,status,width,height,perimeter,error,bytes,download_ms,gpu_ms\r\n";

    [Test]
    public async Task Results_WhenJobHasSettled_ReturnsOneQuotedRowPerImageInSubmissionOrder()
    {
        var fresh = Images.Url("/img/40x30.png?shelf=a,b");
        var missing = Images.Url("/status/404");
        var garia = Images.Url("/img/7x5.png");
        var unknown = Images.Url("/img/9x9.png");
        var body = Submission(
            Visit("S00000006", fresh, missing),
            At(Visit(OtherKnownStore, garia), "2025-03-11T17:30:00.25+05:30"),
            At(Visit("NO-SUCH-STORE", unknown), "2025-03-11T13:00:00Z"));
        var jobId = await SubmitAsync(Client, body);
        await WaitUntilSettledAsync(Client, jobId);

        using var response = await Client.GetAsync(new Uri($"/api/jobs/{jobId}/results.csv", UriKind.Relative));

        var csv = await response.Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/csv; charset=utf-8"));
            Assert.That(response.Content.Headers.ContentDisposition?.ToString(), Is.EqualTo($"attachment; filename=\"job-{jobId}-results.csv\""));
            Assert.That(
                WithoutTimings(csv),
                Is.EqualTo(
                    Header +
                    $"S00000006,\"HITECH CITY \"\"FRESH\"\" MART\",500081,2025-03-11T12:00:00Z,\"{fresh}\",succeeded,40,30,140,\r\n" +
                    $"S00000006,\"HITECH CITY \"\"FRESH\"\" MART\",500081,2025-03-11T12:00:00Z,{missing},failed,,,,HTTP 404\r\n" +
                    $"S01408764,\"NEW SAHA STORES, GARIA\",700092,2025-03-11T12:00:00.25Z,{garia},succeeded,7,5,24,\r\n" +
                    $"NO-SUCH-STORE,,,2025-03-11T13:00:00Z,{unknown},failed,,,,unknown store_id\r\n"));

            // Bytes, download and GPU times where the step ran; empty where it did not.
            Assert.That(lines[1], Does.Match(",[0-9]+,[0-9]+,[0-9]+$"));
            Assert.That(lines[2], Does.Match(",,[0-9]+,$"));
            Assert.That(lines[3], Does.Match(",[0-9]+,[0-9]+,[0-9]+$"));
            Assert.That(lines[4], Does.EndWith(",,,"));
        });
    }

    [Test]
    public async Task Results_WhenAStoreIdLooksLikeAFormula_WritesItAsTextSoASpreadsheetDoesNotRunIt()
    {
        var image = Images.Url("/img/9x9.png");
        var jobId = await SubmitAsync(Client, Submission(Visit("=HYPERLINK(\"http://evil.example\")", image), Visit("@SUM(A1)", image)));
        await WaitUntilSettledAsync(Client, jobId);

        using var response = await Client.GetAsync(new Uri($"/api/jobs/{jobId}/results.csv", UriKind.Relative));

        var csv = await response.Content.ReadAsStringAsync();
        Assert.That(
            csv,
            Is.EqualTo(
                Header +
                $"\"'=HYPERLINK(\"\"http://evil.example\"\")\",,,2025-03-11T12:00:00Z,{image},failed,,,,unknown store_id,,,\r\n" +
                $"'@SUM(A1),,,2025-03-11T12:00:00Z,{image},failed,,,,unknown store_id,,,\r\n"));
    }

    [Test]
    public async Task Results_WhenJobIsOngoing_ListsItsPendingImagesWithEmptyResults()
    {
        var slow = Images.Url("/slow/60000/15x15.png");
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, slow)));

        using var response = await Client.GetAsync(new Uri($"/api/jobs/{jobId}/results.csv", UriKind.Relative));

        var csv = await response.Content.ReadAsStringAsync();
        var row = $"S00339218,BHARAT STORE,710006,2025-03-11T12:00:00Z,{slow},{{0}},,,,,,,\r\n";
        Assert.That(csv, Is.EqualTo(Header + row.Replace("{0}", "processing", StringComparison.Ordinal)).Or.EqualTo(Header + row.Replace("{0}", "pending", StringComparison.Ordinal)));
    }

    [Test]
    public async Task Results_WhenJobIsLarge_StreamsEveryRowWithoutAContentLength()
    {
        // An unknown store's images settle at once, so a big job needs no downloads.
        var urls = Enumerable.Range(0, 5_000).Select(i => new Uri($"https://example.com/shelf/{i}.jpg")).ToArray();
        var jobId = await SubmitAsync(Client, Submission(Visit("NO-SUCH-STORE", urls)));

        using var response = await Client.GetAsync(new Uri($"/api/jobs/{jobId}/results.csv", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

        // Read before the body: once buffered, the client would compute a length itself.
        var declaredLength = response.Content.Headers.NonValidated.Contains("Content-Length");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(declaredLength, Is.False, "written as it is read, so its length is not known up front");
            Assert.That(response.Headers.TransferEncodingChunked, Is.True);
            Assert.That(lines, Has.Length.EqualTo(5_002), "header, 5,000 rows, and the empty string after the last CRLF");
            Assert.That(lines[1], Is.EqualTo("NO-SUCH-STORE,,,2025-03-11T12:00:00Z,https://example.com/shelf/0.jpg,failed,,,,unknown store_id,,,"));
            Assert.That(lines[5_000], Is.EqualTo("NO-SUCH-STORE,,,2025-03-11T12:00:00Z,https://example.com/shelf/4999.jpg,failed,,,,unknown store_id,,,"));
            Assert.That(lines[^1], Is.Empty);
        });
    }

    [Test]
    public async Task Results_WhenJobDoesNotExist_Returns404ProblemBeforeAnyCsv()
    {
        var problem = await Problems.GetAsync(Client, "/api/jobs/999999/results.csv");

        Assert.That(problem, Is.EqualTo((HttpStatusCode.NotFound, "application/problem+json", "Job 999999 was not found.")));
    }

    [TestCase("0")]
    [TestCase("-3")]
    [TestCase("abc")]
    public async Task Results_WhenJobIdIsNotAPositiveInteger_Returns400NamingIt(string jobId)
    {
        var problem = await Problems.GetAsync(Client, $"/api/jobs/{jobId}/results.csv");

        Assert.That((problem.Status, problem.Error), Is.EqualTo((HttpStatusCode.BadRequest, "job_id: must be a positive integer")));
    }

    /// <summary>
    /// The export without its last three columns (bytes, download_ms, gpu_ms), whose values vary
    /// from run to run, and with the header whole: the rest can be compared exactly.
    /// </summary>
    private static string WithoutTimings(string csv)
    {
        var lines = csv.Split("\r\n");
        return string.Join("\r\n", lines.Select((line, i) => i == 0 || line.Length == 0 ? line : line[..Nth(line, 3)]));

        static int Nth(string line, int fromEnd)
        {
            var at = line.Length;
            for (var i = 0; i < fromEnd; i++)
            {
                at = line.LastIndexOf(',', at - 1);
            }

            return at;
        }
    }

    private static JsonObject At(JsonObject visit, string visitTime)
    {
        visit["visit_time"] = visitTime;
        return visit;
    }
}
