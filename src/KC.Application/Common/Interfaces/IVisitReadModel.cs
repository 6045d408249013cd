using KC.Application.Common.Paging;
using KC.Application.Stores.Queries.GetStoreVisits;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side of visits across jobs.</summary>
public interface IVisitReadModel
{
    /// <summary>Visits matching <paramref name="search"/>, by visit time then visit id, each with its images.</summary>
    Task<ResultPage<VisitResultView>> SearchAsync(VisitSearch search, PageRequest page, CancellationToken cancellationToken);

    /// <summary>The <paramref name="take"/> latest visits to <paramref name="storeId"/>, by visit time then id, newest first.</summary>
    Task<IReadOnlyList<StoreVisitOutcome>> RecentOfStoreAsync(string storeId, int take, CancellationToken cancellationToken);
}

/// <summary>
/// Filters of the visits query; a null member does not filter. Visit times are taken from
/// <see cref="From"/> (inclusive) up to <see cref="Before"/> (exclusive), both UTC.
/// </summary>
public sealed record VisitSearch(string? AreaCode, string? StoreId, DateTimeOffset? From, DateTimeOffset? Before);

/// <summary>A visit with its job, its store as the master names it now (null when unknown), and its images in order.</summary>
public sealed record VisitResultView(
    long JobId,
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTimeOffset VisitTime,
    IReadOnlyList<ImageView> Images);
