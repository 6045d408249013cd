using KC.Client;

namespace KC.Api.FunctionalTests.Clients;

/// <summary>Submissions built with the client's own records.</summary>
internal static class ClientJobs
{
    public const string KnownStore = "S00339218";
    public const string OtherKnownStore = "S01408764";
    public const string UnknownStore = "S99999999";

    public static readonly DateTimeOffset VisitTime = new(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);

    public static VisitSubmission VisitOf(string storeId, params Uri[] images) =>
        new() { StoreId = storeId, ImageUrl = images, VisitTime = VisitTime };

    public static JobSubmission JobOf(params VisitSubmission[] visits) => new() { Visits = visits };
}
