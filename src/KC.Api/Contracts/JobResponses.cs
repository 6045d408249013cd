using System.Text.Json.Serialization;

namespace KC.Api.Contracts;

/// <summary>
/// The body of <c>GET /api/status</c>: the contract's <c>job_id</c> and <c>status</c>, then
/// <c>progress</c>; <c>error</c> appears only for a failed job.
/// </summary>
public sealed record JobStatusResponse(
    long JobId,
    [property: Words(WireWords.JobStatus)] string Status,
    ProgressResponse Progress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StoreErrorResponse>? Error);

public sealed record StoreErrorResponse(string StoreId, string Error);

/// <summary>A job's images by where they stand; <c>succeeded + failed + cancelled + pending = total</c>.</summary>
public sealed record ProgressResponse(int Total, int Succeeded, int Failed, int Cancelled, int Pending);

public sealed record JobDetailsResponse(
    long JobId,
    [property: Words(WireWords.JobStatus)] string Status,
    DateTime CreatedAt,
    DateTime? CompletedAt,
    DateTime? EstimatedCompletionAt,
    ProgressResponse Progress,
    IReadOnlyList<VisitResponse> Visits,
    IReadOnlyList<StoreErrorResponse> Error,
    CallbackResponse? Callback);

/// <summary>The job's completion callback: <c>pending</c>, <c>delivered</c> or <c>failed</c>, with every attempt so far.</summary>
public sealed record CallbackResponse(string Url, [property: Words(WireWords.CallbackStatus)] string Status, IReadOnlyList<CallbackAttemptResponse> Attempts);

/// <summary>One POST of the callback: the receiver's HTTP status, or the error when no response came.</summary>
public sealed record CallbackAttemptResponse(DateTime At, int? StatusCode, string? Error);

public sealed record VisitResponse(
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTime VisitTime,
    [property: Words(WireWords.JobStatus)] string Status,
    IReadOnlyList<ImageResponse> Images);

public sealed record ImageResponse(
    string ImageUrl,
    [property: Words(WireWords.ImageStatus)] string Status,
    int Attempts,
    int? Width,
    int? Height,
    long? Perimeter,
    string? Error,
    string? LastError,
    long? Bytes,
    int? DownloadMs,
    int? GpuMs);
