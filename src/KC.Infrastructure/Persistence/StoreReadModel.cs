using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>The store master as the API shows it.</summary>
internal sealed class StoreReadModel(KcDbContext db) : IStoreReadModel
{
    private const char LikeEscape = '\\';

    public Task<StoreView?> FindAsync(string storeId, CancellationToken cancellationToken) =>
        db.Stores.AsNoTracking()
            .Where(s => s.StoreId == storeId)
            .Select(s => new StoreView(s.StoreId, s.StoreName, s.AreaCode))
            .FirstOrDefaultAsync(cancellationToken);

    public Task<ResultPage<StoreView>> ListAsync(string? areaCode, string? nameContains, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var stores = db.Stores.AsNoTracking();
        if (areaCode is not null)
        {
            stores = stores.Where(s => s.AreaCode == areaCode);
        }

        if (nameContains is not null)
        {
            // Case-insensitive on both providers (each dialect says how); the client's % and _ are
            // escaped so they match themselves.
            var pattern = $"%{EscapeLike(nameContains)}%";
            stores = db.Dialect.WhereNameContains(stores, pattern, LikeEscape.ToString());
        }

        return stores
            .OrderBy(s => s.StoreId)
            .Select(s => new StoreView(s.StoreId, s.StoreName, s.AreaCode))
            .ToPageAsync(page, cancellationToken);
    }

    private static string EscapeLike(string text) => text
        .Replace(LikeEscape.ToString(), $"{LikeEscape}{LikeEscape}", StringComparison.Ordinal)
        .Replace("%", $"{LikeEscape}%", StringComparison.Ordinal)
        .Replace("_", $"{LikeEscape}_", StringComparison.Ordinal);
}
