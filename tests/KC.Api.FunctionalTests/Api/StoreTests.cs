using System.Net;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Api;

/// <summary><c>GET /api/stores</c> and <c>GET /api/stores/{store_id}</c> over the bundled sample master.</summary>
public sealed class StoreTests : ServiceTestBase
{
    private static readonly string[] AllIds =
        ["S00000001", "S00000002", "S00000003", "S00000004", "S00000005", "S00000006", "S00339218", "S01408764"];

    [Test]
    public async Task Get_WhenStoreExists_ReturnsItExactlyAsTheMasterNamesIt()
    {
        using var response = await Client.GetAsync(new Uri("/api/stores/S00000006", UriKind.Relative));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Is.EqualTo("""{"store_id":"S00000006","store_name":"HITECH CITY \"FRESH\" MART","area_code":"500081"}"""));
        });
    }

    [Test]
    public async Task Get_WhenStoreDoesNotExist_Returns404Problem()
    {
        var problem = await Problems.GetAsync(Client, "/api/stores/S99999999");

        Assert.That(problem, Is.EqualTo((HttpStatusCode.NotFound, "application/problem+json", "Store S99999999 was not found.")));
    }

    [Test]
    public async Task Get_WhenIdDiffersOnlyInCase_Returns404()
    {
        var problem = await Problems.GetAsync(Client, "/api/stores/s00000006");

        Assert.That(problem.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Get_WhenIdIsLongerThanAnyStoreId_Returns400NamingIt()
    {
        var problem = await Problems.GetAsync(Client, $"/api/stores/{new string('S', 65)}");

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", "store_id: must be at most 64 characters")));
    }

    [Test]
    public async Task List_WhenNoParametersAreGiven_ReturnsEveryStoreByStoreId()
    {
        var page = await Client.GetJsonAsync("/api/stores");

        Assert.Multiple(() =>
        {
            Assert.That(Problems.Items<string>(page, "store_id"), Is.EqualTo(AllIds));
            Assert.That(Problems.Paging(page), Is.EqualTo("""{"page":1,"page_size":50,"total_items":8,"total_pages":1}"""));
            Assert.That(page["items"]![7]!.ToJsonString(), Is.EqualTo("""{"store_id":"S01408764","store_name":"NEW SAHA STORES, GARIA","area_code":"700092"}"""));
        });
    }

    [TestCase("area=560034", new[] { "S00000002" })]
    [TestCase("area=56003", new string[0])]
    [TestCase("q=mart", new[] { "S00000002", "S00000006" })]
    [TestCase("q=MaRt", new[] { "S00000002", "S00000006" })]
    [TestCase("q=%22fresh%22", new[] { "S00000006" })]
    [TestCase("q=stores,%20garia", new[] { "S01408764" })]
    [TestCase("q=%20bharat%20", new[] { "S00339218" })]
    [TestCase("q=%25", new string[0])]
    [TestCase("q=_", new string[0])]
    [TestCase("area=500081&q=mart", new[] { "S00000006" })]
    [TestCase("area=710006&q=mart", new string[0])]
    public async Task List_WhenFiltered_ReturnsOnlyMatchingStores(string query, string[] expected)
    {
        var page = await Client.GetJsonAsync($"/api/stores?{query}");

        Assert.Multiple(() =>
        {
            Assert.That(Problems.Items<string>(page, "store_id"), Is.EqualTo(expected));
            Assert.That(page["total_items"]!.GetValue<long>(), Is.EqualTo(expected.Length));
        });
    }

    [Test]
    public async Task List_WhenPagedByThree_SplitsTheStoresIntoThreePagesAndAnswersEmptyBeyondTheLast()
    {
        var first = await Client.GetJsonAsync("/api/stores?page_size=3");
        var last = await Client.GetJsonAsync("/api/stores?page_size=3&page=3");
        var beyond = await Client.GetJsonAsync("/api/stores?page_size=3&page=4");
        var whole = await Client.GetJsonAsync("/api/stores?page_size=500");

        Assert.Multiple(() =>
        {
            Assert.That(Problems.Items<string>(first, "store_id"), Is.EqualTo(AllIds[..3]));
            Assert.That(Problems.Paging(first), Is.EqualTo("""{"page":1,"page_size":3,"total_items":8,"total_pages":3}"""));
            Assert.That(Problems.Items<string>(last, "store_id"), Is.EqualTo(AllIds[6..]));
            Assert.That(beyond["items"]!.AsArray(), Is.Empty);
            Assert.That(Problems.Paging(beyond), Is.EqualTo("""{"page":4,"page_size":3,"total_items":8,"total_pages":3}"""));
            Assert.That(Problems.Items<string>(whole, "store_id"), Is.EqualTo(AllIds));
        });
    }

    [TestCase("page=0", "page: must be a positive integer")]
    [TestCase("page=0x10", "page: must be a positive integer")]
    [TestCase("page_size=501", "page_size: must be between 1 and 500")]
    [TestCase("page_size=-5", "page_size: must be a positive integer")]
    [TestCase("area=123456789012345678901234567890123", "area: must be at most 32 characters")]
    public async Task List_WhenAParameterIsInvalid_Returns400NamingIt(string query, string expectedError)
    {
        var problem = await Problems.GetAsync(Client, $"/api/stores?{query}");

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", expectedError)));
    }

    [Test]
    public async Task List_WhenQueryIsLongerThanAnyName_Returns400NamingIt()
    {
        var problem = await Problems.GetAsync(Client, $"/api/stores?q={new string('a', 257)}");

        Assert.That(problem, Is.EqualTo((HttpStatusCode.BadRequest, "application/problem+json", "q: must be at most 256 characters")));
    }
}
