using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;

namespace KC.Infrastructure.Callbacks;

/// <summary>
/// The body a callback POSTs: the job's <c>GET /api/status</c> body, byte for byte. The API's wire
/// records live in the Api project, which this one may not reference, so the shape is repeated
/// here; <c>CallbackTests</c> compares the two over HTTP so they cannot drift apart unnoticed.
/// </summary>
internal static class CallbackBody
{
    // The API's settings: web defaults with snake_case names, and the relaxed escaping MVC's JSON
    // output formatter uses when no encoder is configured ('&' and '<' and non-ASCII stay as they are).
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize(JobStatusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var body = new StatusBody(
            view.JobId,
            view.Status.ToString().ToLowerInvariant(),
            new ProgressBody(view.Progress.Total, view.Progress.Succeeded, view.Progress.Failed, view.Progress.Cancelled, view.Progress.Pending),
            view.Status == JobStatus.Failed ? view.Errors.Select(e => new StoreErrorBody(e.StoreId, e.Error)).ToList() : null);
        return JsonSerializer.SerializeToUtf8Bytes(body, Options);
    }

    private sealed record StatusBody(
        long JobId,
        string Status,
        ProgressBody Progress,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StoreErrorBody>? Error);

    private sealed record ProgressBody(int Total, int Succeeded, int Failed, int Cancelled, int Pending);

    private sealed record StoreErrorBody(string StoreId, string Error);
}
