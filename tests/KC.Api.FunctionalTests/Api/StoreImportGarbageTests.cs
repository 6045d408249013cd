using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Api;

/// <summary>
/// <c>POST /api/stores/import</c> with the default cap (16 MiB) and a file of garbage just under it: the
/// answer lists the first rejected rows and counts them all, instead of growing with the file.
/// </summary>
public sealed class StoreImportGarbageTests : ServiceTestBase
{
    private const string Header = "AreaCode,StoreName,StoreID\n";
    private const int MaxListed = 100;

    // 15 MiB of one-field rows, then one valid store that must still be read and imported.
    private static readonly int GarbageRows = ((15 * 1024 * 1024) - Header.Length) / 2;

    [TestCase("text/csv")]
    [TestCase("multipart/form-data")]
    public async Task Import_WhenUploadIsFifteenMebibytesOfGarbage_ListsTheFirstHundredRejectedRowsAndTheirTotal(string contentType)
    {
        var storeId = contentType == "text/csv" ? "S60000001" : "S60000002";
        var csv = Garbage(storeId);
        using var file = new ByteArrayContent(csv);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
        using HttpContent content = contentType == "text/csv" ? file : new MultipartFormDataContent { { file, "file", "stores.csv" } };

        using var response = await Client.PostAsync(new Uri("/api/stores/import", UriKind.Relative), content);

        var text = await response.Content.ReadAsStringAsync();
        var body = JsonNode.Parse(text)!;
        var rejected = body["rejected"]!.AsArray();
        var store = await Client.GetJsonAsync($"/api/stores/{storeId}");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text[..Math.Min(text.Length, 500)]);
            Assert.That(csv, Has.Length.LessThanOrEqualTo(16 * 1024 * 1024), "under the default Api:MaxStoreImportBytes");
            Assert.That(body["rejected_total"]!.GetValue<int>(), Is.EqualTo(GarbageRows));
            Assert.That(rejected.Select(r => r!["line"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(2, MaxListed)));
            Assert.That(rejected[0]!.ToJsonString(), Is.EqualTo("""{"line":2,"reason":"expected 3 fields, found 1"}"""));
            Assert.That(text, Has.Length.LessThan(8 * 1024), "the answer stays small");
            Assert.That((body["inserted"]!.GetValue<int>(), body["updated"]!.GetValue<int>(), body["unchanged"]!.GetValue<int>()), Is.EqualTo((1, 0, 0)));
            Assert.That(store["store_name"]!.GetValue<string>(), Is.EqualTo("AFTER THE GARBAGE"));
        });
    }

    private static byte[] Garbage(string storeId)
    {
        var last = Encoding.UTF8.GetBytes($"1,AFTER THE GARBAGE,{storeId}\n");
        var bytes = new byte[Header.Length + (2 * GarbageRows) + last.Length];
        Encoding.ASCII.GetBytes(Header, bytes);
        for (var i = Header.Length; i < Header.Length + (2 * GarbageRows); i += 2)
        {
            bytes[i] = (byte)'x';
            bytes[i + 1] = (byte)'\n';
        }

        last.CopyTo(bytes, bytes.Length - last.Length);
        return bytes;
    }
}
