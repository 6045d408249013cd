using KC.Domain.Jobs;
using KC.Domain.Stores;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>Test-data factories: every argument has a default, so a test names only what it is about.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset VisitTime = new(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);

    public static NewVisit Visit(
        string storeId = "S00339218",
        int imageCount = 1,
        IReadOnlyList<string>? urls = null,
        DateTimeOffset? visitTime = null) =>
        new(storeId, visitTime ?? VisitTime, urls ?? Urls(storeId, imageCount));

    public static IReadOnlyList<string> Urls(string storeId = "S00339218", int count = 1, int first = 0) =>
        Enumerable.Range(first, count).Select(i => $"https://images.example.com/{storeId}/{i}.jpg").ToList();

    /// <summary>A job made through the real aggregate; a visit's store is known unless listed in <paramref name="unknownStores"/>.</summary>
    public static Job NewJob(
        IReadOnlyCollection<NewVisit>? visits = null,
        IReadOnlyCollection<string>? unknownStores = null,
        DateTimeOffset? submittedAt = null) =>
        Job.Submit(
            visits ?? [Visit()],
            storeId => unknownStores is null || !unknownStores.Contains(storeId),
            submittedAt ?? Now);

    /// <summary>A job of one known store with <paramref name="imageCount"/> images.</summary>
    public static Job JobWithImages(int imageCount = 1, string storeId = "S00339218") =>
        NewJob([Visit(storeId, imageCount)]);

    public static Store NewStore(string storeId = "S00339218", string storeName = "BHARAT STORE", string areaCode = "710006") =>
        Store.Create(storeId, storeName, areaCode);
}
