namespace KC.Api.Contracts;

/// <summary>A job in the job list: its status and counters, without its visits.</summary>
public sealed record JobSummaryResponse(
    long JobId,
    [property: Words(WireWords.JobStatus)] string Status,
    DateTime CreatedAt,
    DateTime? CompletedAt,
    ProgressResponse Progress);

/// <summary>A visit found by the visits query, with the job it came in and its images' results.</summary>
public sealed record VisitResultResponse(
    long JobId,
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTime VisitTime,
    IReadOnlyList<ImageResponse> Images);

public sealed record StoreResponse(string StoreId, string StoreName, string AreaCode);

// The summary is the schema's description in the OpenAPI document: wire names, not cross-references,
// which the document shows as C# signatures.
/// <summary>
/// The answer to a store-master upload: <c>rejected</c> lists the first rejected rows by line, at
/// most 100; <c>rejected_total</c> counts them all.
/// </summary>
public sealed record StoreImportResponse(int Inserted, int Updated, int Unchanged, IReadOnlyList<RejectedRowResponse> Rejected, int RejectedTotal);

public sealed record RejectedRowResponse(int Line, string Reason);
