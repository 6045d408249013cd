using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

/// <summary>Valid visits and jobs, with overrides for the one thing a test varies.</summary>
internal static class Visits
{
    public const string KnownStore = "S00339218";
    public const string OtherKnownStore = "S01408764";
    public const string UnknownStore = "S99999999";

    public static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Later = Now.AddSeconds(4);

    public static readonly DateTimeOffset VisitTime = new(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);

    public static NewVisit Visit(string storeId = KnownStore, IReadOnlyList<string>? urls = null, DateTimeOffset? visitTime = null) =>
        new(storeId, visitTime ?? VisitTime, urls ?? Urls(storeId, 2));

    public static IReadOnlyList<string> Urls(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => $"https://images.example.com/{prefix}/{i}.jpg").ToList();

    /// <summary>Every store is known unless it is <see cref="UnknownStore"/>.</summary>
    public static bool IsKnownStore(string storeId) => storeId != UnknownStore;

    public static Job Submit(IReadOnlyCollection<NewVisit>? visits = null, Func<string, bool>? isKnownStore = null, DateTimeOffset? now = null) =>
        Job.Submit(visits ?? [Visit()], isKnownStore ?? IsKnownStore, now ?? Now);

    public static IReadOnlyList<ImageTask> Images(this Job job) => job.Visits.SelectMany(v => v.Images).ToList();
}
