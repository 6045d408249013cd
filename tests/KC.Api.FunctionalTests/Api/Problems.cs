using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Api;

/// <summary>Reads an error answer the way a client does: its status, media type and <c>error</c> sentence.</summary>
internal static class Problems
{
    public static async Task<(HttpStatusCode Status, string? MediaType, string? Error)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync(response);
    }

    public static async Task<(HttpStatusCode Status, string? MediaType, string? Error)> ReadAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await Json.ReadAsync(response);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body["error"]?.GetValue<string>());
    }

    /// <summary>The <c>items</c> of a page, each reduced to one member.</summary>
    public static List<T> Items<T>(JsonNode page, string member) =>
        page["items"]!.AsArray().Select(item => item![member]!.GetValue<T>()).ToList();

    /// <summary>A page's paging members, without its items.</summary>
    public static string Paging(JsonNode page)
    {
        var copy = page.DeepClone().AsObject();
        copy.Remove("items");
        return copy.ToJsonString();
    }
}
