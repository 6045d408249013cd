using KC.Application.Jobs.Commands.SubmitJob;

namespace KC.Application.UnitTests.Jobs.Commands.SubmitJob;

/// <summary>Valid submit commands, with overrides for the one member a test varies.</summary>
internal static class Commands
{
    public const string StoreId = "S00339218";
    public const string OtherStoreId = "S01408764";
    public const string VisitTime = "2025-03-11T12:00:00Z";

    public static SubmittedVisit Visit(string? storeId = StoreId, IReadOnlyList<string?>? imageUrls = null, string? visitTime = VisitTime) =>
        new(storeId, imageUrls ?? ["https://example.com/a.jpg", "https://example.com/b.jpg"], visitTime);

    /// <summary>A visit whose image list is missing (a null default would mean "use the default list").</summary>
    public static SubmittedVisit VisitWithoutImages(string? storeId = StoreId) => new(storeId, null, VisitTime);

    /// <summary>A command whose count matches its visits.</summary>
    public static SubmitJobCommand Submit(params SubmittedVisit?[] visits) => new(visits.Length, visits);

    /// <summary>A command with any count, for the cases where it is missing or wrong.</summary>
    public static SubmitJobCommand Submit(int? count, IReadOnlyList<SubmittedVisit?>? visits) => new(count, visits);

    public static SubmitJobCommand Valid() => Submit(Visit(), Visit(storeId: OtherStoreId, imageUrls: ["https://example.com/c.jpg"]));
}
