using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>Wire helpers: bodies are built and read as raw JSON, exactly as a client sees them.</summary>
public static class Json
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Body(JsonNode node) => Body(node.ToJsonString());

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("The response body was JSON null.");
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), $"GET {path}: {await response.Content.ReadAsStringAsync()}");
        return await ReadAsync(response);
    }

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, JsonNode body)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.PostAsync(new Uri(path, UriKind.Relative), Body(body));
    }

    public static JsonContent Content<T>(T value) => JsonContent.Create(value, options: Options);
}
