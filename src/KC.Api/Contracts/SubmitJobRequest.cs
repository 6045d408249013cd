namespace KC.Api.Contracts;

/// <summary>The body of <c>POST /api/submit</c>. Members are nullable so the validator can name what is missing.</summary>
public sealed record SubmitJobRequest(int? Count, IReadOnlyList<VisitRequest?>? Visits);

public sealed record VisitRequest(string? StoreId, IReadOnlyList<string?>? ImageUrl, string? VisitTime);

public sealed record SubmitJobResponse(long JobId);
