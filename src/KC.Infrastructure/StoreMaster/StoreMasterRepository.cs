using KC.Application.Common.Interfaces;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.StoreMaster;

internal sealed class StoreMasterRepository(KcDbContext db) : IStoreMaster
{
    // Keeps each IN list well under every provider's parameter limit.
    private const int LookupChunk = 500;

    public async Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> storeIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storeIds);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in storeIds.Chunk(LookupChunk))
        {
            var existing = await db.Stores.AsNoTracking()
                .Where(s => chunk.Contains(s.StoreId))
                .Select(s => s.StoreId)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            found.UnionWith(existing);
        }

        return found;
    }
}
