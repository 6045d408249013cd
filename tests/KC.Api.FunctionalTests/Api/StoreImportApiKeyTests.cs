using System.Net;
using System.Text;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Api;

/// <summary>The upload changes the store master, so it is a write endpoint: it needs an API key when keys are set.</summary>
public sealed class StoreImportApiKeyTests : ServiceTestBase
{
    private const string Csv = "AreaCode,StoreName,StoreID\n110005,KEYED STORE,S60000001\n";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:Keys:0"] = "store-master-key",
    };

    [Test]
    public async Task Import_WhenKeysAreSetAndNoneIsSent_Returns401AndImportsNothing()
    {
        using var content = new StringContent(Csv, Encoding.UTF8, "text/csv");

        using var response = await Client.PostAsync(new Uri("/api/stores/import", UriKind.Relative), content);

        var problem = await Problems.ReadAsync(response);
        using var store = await Client.GetAsync(new Uri("/api/stores/S60000001", UriKind.Relative));
        Assert.Multiple(() =>
        {
            Assert.That(problem, Is.EqualTo((HttpStatusCode.Unauthorized, "application/problem+json", "X-Api-Key: an API key is required for this endpoint")));
            Assert.That(store.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Import_WhenTheKeyIsSent_ImportsTheFile()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/stores/import", UriKind.Relative))
        {
            Content = new StringContent(Csv, Encoding.UTF8, "text/csv"),
        };
        request.Headers.Add("X-Api-Key", "store-master-key");

        using var response = await Client.SendAsync(request);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"inserted":1,"updated":0,"unchanged":0,"rejected":[],"rejected_total":0}"""));
    }
}
