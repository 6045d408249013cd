namespace KC.Domain.Jobs;

/// <summary>One store visit as a client submitted it, before it becomes part of a job.</summary>
public sealed record NewVisit(string StoreId, DateTimeOffset VisitTime, IReadOnlyList<string> ImageUrls);
