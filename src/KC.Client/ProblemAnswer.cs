using System.Net;
using System.Text.Json;

namespace KC.Client;

/// <summary>Reads a refusal's body into the exception that carries it; a body that is not problem details still gives one.</summary>
internal static class ProblemAnswer
{
    // Problem bodies are a few hundred bytes; a proxy's error page need not be read whole.
    private const int MaxBodyChars = 64 * 1024;

    public static async Task<KcApiException> ReadAsync(HttpResponseMessage response, long? unknownJobId, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (text.Length > MaxBodyChars)
        {
            text = text[..MaxBodyChars];
        }

        JsonElement? body = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
        }

        var status = response.StatusCode;

        // The status endpoint's contract: 400 with exactly {} when the job does not exist.
        if (unknownJobId is { } jobId && status == HttpStatusCode.BadRequest && body is { ValueKind: JsonValueKind.Object } empty && !empty.EnumerateObject().Any())
        {
            return new KcNotFoundException(status, $"Job {jobId} was not found.", title: null, errors: null);
        }

        var error = String(body, "error");
        var title = String(body, "title");
        var errors = Errors(body);
        return status == HttpStatusCode.NotFound
            ? new KcNotFoundException(status, error, title, errors)
            : new KcApiException(status, error, title, errors);
    }

    private static string? String(JsonElement? body, string name) =>
        body is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.String
            ? member.GetString()
            : null;

    private static Dictionary<string, IReadOnlyList<string>>? Errors(JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } value || !value.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var fields = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var field in errors.EnumerateObject())
        {
            fields[field.Name] = field.Value.ValueKind switch
            {
                JsonValueKind.Array => [.. field.Value.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)],
                JsonValueKind.String => [field.Value.GetString()!],
                _ => [],
            };
        }

        return fields;
    }
}
