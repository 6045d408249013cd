using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Api;

/// <summary><c>GET /api/visits</c>: visits across jobs by area, store and time range, by visit time then id.</summary>
public sealed class VisitSearchTests : ServiceTestBase
{
    private const string DateError = "must be an RFC 3339 timestamp such as 2025-03-11T12:00:00Z, or a date such as 2025-03-11";

    // Each visit is told apart by its first image, whose width is 20 + its number.
    private static readonly (string Label, string StoreId, string VisitTime)[] FirstJob =
    [
        ("V1", KnownStore, "2025-03-10T23:59:59.9999999Z"),
        ("V2", OtherKnownStore, "2025-03-11T00:00:00Z"),
        ("V3", KnownStore, "2025-03-11T12:00:00.5Z"),
    ];

    private static readonly (string Label, string StoreId, string VisitTime)[] SecondJob =
    [
        ("V4", KnownStore, "2025-03-11T12:00:00Z"),
        ("V5", "S00000001", "2025-03-11T23:59:59Z"),
        ("V6", "NO-SUCH-STORE", "2025-03-12T00:00:00Z"),

        // The same instant as V4, written with an offset: the tie goes to the lower visit id.
        ("V7", OtherKnownStore, "2025-03-11T17:30:00+05:30"),
    ];

    private static readonly string[] InOrder = ["V1", "V2", "V4", "V7", "V3", "V5", "V6"];

    private long _firstJob;
    private long _secondJob;

    [OneTimeSetUp]
    public async Task SubmitVisitsAsync()
    {
        _firstJob = await SubmitAsync(Client, Submission([.. FirstJob.Select(VisitOf)]));
        _secondJob = await SubmitAsync(Client, Submission([.. SecondJob.Select(VisitOf)]));
        await WaitUntilSettledAsync(Client, _firstJob);
        await WaitUntilSettledAsync(Client, _secondJob);
    }

    [Test]
    public async Task Search_WhenNoFiltersAreGiven_ReturnsEveryVisitByVisitTimeThenId()
    {
        var page = await Client.GetJsonAsync("/api/visits");

        Assert.Multiple(() =>
        {
            Assert.That(Labels(page), Is.EqualTo(InOrder));
            Assert.That(Problems.Paging(page), Is.EqualTo("""{"page":1,"page_size":50,"total_items":7,"total_pages":1}"""));
        });
    }

    [Test]
    public async Task Search_WhenVisitIsFound_ShowsItsJobStoreTimeAndTheImagesAsTheJobDetailsShowThem()
    {
        var details = await Client.GetJsonAsync($"/api/jobs/{_firstJob}");

        var page = await Client.GetJsonAsync("/api/visits?startdate=2025-03-11T12:00:00.5Z&enddate=2025-03-11T12:00:00.5Z");

        var visit = page["items"]![0]!.DeepClone().AsObject();
        var images = visit["images"]!.AsArray();
        visit.Remove("images");
        Assert.Multiple(() =>
        {
            Assert.That(
                visit.ToJsonString(),
                Is.EqualTo($$"""{"job_id":{{_firstJob}},"store_id":"S00339218","store_name":"BHARAT STORE","area_code":"710006","visit_time":"2025-03-11T12:00:00.5Z"}"""));
            Assert.That(images.ToJsonString(), Is.EqualTo(details["visits"]![2]!["images"]!.ToJsonString()));
            Assert.That(images, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Search_WhenStoreIsUnknown_ShowsTheVisitWithoutNameOrArea()
    {
        var page = await Client.GetJsonAsync("/api/visits?storeid=NO-SUCH-STORE");

        var visit = page["items"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(visit["job_id"]!.GetValue<long>(), Is.EqualTo(_secondJob));
            Assert.That(visit["store_name"], Is.Null);
            Assert.That(visit["area_code"], Is.Null);
            Assert.That(visit["images"]![0]!["error"]!.GetValue<string>(), Is.EqualTo("unknown store_id"));
        });
    }

    [TestCase("area=710006", new[] { "V1", "V4", "V3" })]
    [TestCase("storeid=S01408764", new[] { "V2", "V7" })]
    [TestCase("storeid=%20S01408764%20", new[] { "V2", "V7" })]
    [TestCase("area=710006&storeid=S01408764", new string[0])]
    [TestCase("area=999999", new string[0])]
    [TestCase("startdate=2025-03-11&enddate=2025-03-11", new[] { "V2", "V4", "V7", "V3", "V5" })]
    [TestCase("startdate=2025-03-11T12:00:00Z&enddate=2025-03-11T12:00:00.5Z", new[] { "V4", "V7", "V3" })]
    [TestCase("startdate=2025-03-11T12:00:00Z&enddate=2025-03-11T12:00:00Z", new[] { "V4", "V7" })]
    [TestCase("startdate=2025-03-11T17:30:00%2B05:30", new[] { "V4", "V7", "V3", "V5", "V6" })]
    [TestCase("startdate=2025-03-11T12:00:00.0000001Z", new[] { "V3", "V5", "V6" })]
    [TestCase("enddate=2025-03-11T12:00:00Z", new[] { "V1", "V2", "V4", "V7" })]
    [TestCase("enddate=2025-03-10", new[] { "V1" })]
    [TestCase("startdate=2025-03-12", new[] { "V6" })]
    [TestCase("area=710006&startdate=2025-03-11", new[] { "V4", "V3" })]
    [TestCase("storeid=S00339218&startdate=2025-03-11&enddate=2025-03-11", new[] { "V4", "V3" })]
    public async Task Search_WhenFiltered_ReturnsOnlyMatchingVisitsInOrder(string query, string[] expected)
    {
        var page = await Client.GetJsonAsync($"/api/visits?{query}");

        Assert.Multiple(() =>
        {
            Assert.That(Labels(page), Is.EqualTo(expected));
            Assert.That(page["total_items"]!.GetValue<long>(), Is.EqualTo(expected.Length));
        });
    }

    [Test]
    public async Task Search_WhenPagedByThree_SplitsTheVisitsIntoThreePagesAndAnswersEmptyBeyondTheLast()
    {
        var first = await Client.GetJsonAsync("/api/visits?page_size=3");
        var second = await Client.GetJsonAsync("/api/visits?page_size=3&page=2");
        var last = await Client.GetJsonAsync("/api/visits?page_size=3&page=3");
        var beyond = await Client.GetJsonAsync("/api/visits?page_size=3&page=4");

        Assert.Multiple(() =>
        {
            Assert.That(Labels(first), Is.EqualTo(InOrder[..3]));
            Assert.That(Problems.Paging(first), Is.EqualTo("""{"page":1,"page_size":3,"total_items":7,"total_pages":3}"""));
            Assert.That(Labels(second), Is.EqualTo(InOrder[3..6]));
            Assert.That(Labels(last), Is.EqualTo(InOrder[6..]));
            Assert.That(Problems.Paging(last), Is.EqualTo("""{"page":3,"page_size":3,"total_items":7,"total_pages":3}"""));
            Assert.That(beyond["items"]!.AsArray(), Is.Empty);
            Assert.That(Problems.Paging(beyond), Is.EqualTo("""{"page":4,"page_size":3,"total_items":7,"total_pages":3}"""));
        });
    }

    [TestCase("startdate=yesterday", "startdate: " + DateError)]
    [TestCase("startdate=2025-03-11T12:00:00", "startdate: " + DateError)]
    [TestCase("startdate=2025-3-11", "startdate: " + DateError)]
    [TestCase("enddate=2025-02-30", "enddate: " + DateError)]
    [TestCase("enddate=11/03/2025", "enddate: " + DateError)]
    [TestCase("startdate=2025-03-12&enddate=2025-03-11", "startdate: must not be after enddate")]
    [TestCase("startdate=2025-03-11T12:00:01Z&enddate=2025-03-11T12:00:00Z", "startdate: must not be after enddate")]
    [TestCase("startdate=2025-03-12&enddate=2025-03-11T23:59:59Z", "startdate: must not be after enddate")]
    [TestCase("page=0", "page: must be a positive integer")]
    [TestCase("page=x", "page: must be a positive integer")]
    [TestCase("page_size=501", "page_size: must be between 1 and 500")]
    [TestCase("page_size=0", "page_size: must be between 1 and 500")]
    public async Task Search_WhenAParameterIsInvalid_Returns400NamingIt(string query, string expectedError)
    {
        var problem = await Problems.GetAsync(Client, $"/api/visits?{query}");

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", expectedError)));
    }

    [Test]
    public async Task Search_WhenAFilterIsLongerThanAnyStoreHas_Returns400NamingIt()
    {
        var storeId = await Problems.GetAsync(Client, $"/api/visits?storeid={new string('S', 65)}");
        var area = await Problems.GetAsync(Client, $"/api/visits?area={new string('7', 33)}");

        Assert.Multiple(() =>
        {
            Assert.That(storeId, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", "storeid: must be at most 64 characters")));
            Assert.That(area, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", "area: must be at most 32 characters")));
        });
    }

    private JsonObject VisitOf((string Label, string StoreId, string VisitTime) visit)
    {
        var number = int.Parse(visit.Label[1..], CultureInfo.InvariantCulture);
        var size = 20 + number;
        var images = visit.Label == "V3"
            ? new[] { Images.Url($"/img/{size}x{size}.png"), Images.Url("/status/404") }
            : [Images.Url($"/img/{size}x{size}.png")];
        var json = Visit(visit.StoreId, images);
        json["visit_time"] = visit.VisitTime;
        return json;
    }

    private static List<string> Labels(JsonNode page) =>
        page["items"]!.AsArray()
            .Select(item => item!["images"]![0]!["image_url"]!.GetValue<string>())
            .Select(url => "V" + (int.Parse(url[(url.LastIndexOf('/') + 1)..url.IndexOf('x', url.LastIndexOf('/'))], CultureInfo.InvariantCulture) - 20))
            .ToList();
}
