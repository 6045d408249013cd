using KC.Application.Common.Paging;

namespace KC.Application.Common.Interfaces;

/// <summary>The read side of the store master.</summary>
public interface IStoreReadModel
{
    /// <summary>The store with exactly this id, or null.</summary>
    Task<StoreView?> FindAsync(string storeId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores by store id, optionally only those of <paramref name="areaCode"/> and those whose name
    /// contains <paramref name="nameContains"/>, ignoring case.
    /// </summary>
    Task<ResultPage<StoreView>> ListAsync(string? areaCode, string? nameContains, PageRequest page, CancellationToken cancellationToken);
}

public sealed record StoreView(string StoreId, string StoreName, string AreaCode);
