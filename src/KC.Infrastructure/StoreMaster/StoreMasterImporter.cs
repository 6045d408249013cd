using KC.Domain.Stores;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.StoreMaster;

/// <summary>What an import did: rows inserted, rows that changed a store, and rows refused with why.</summary>
public sealed record StoreImportSummary(int Inserted, int Updated, int Unchanged, IReadOnlyList<RejectedRow> Rejected);

/// <summary>Upserts a store-master CSV into the stores table in one transaction.</summary>
public sealed class StoreMasterImporter(KcDbContext db)
{
    public async Task<StoreImportSummary> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        var parsed = StoreMasterCsvParser.Parse(csv);
        var existing = await db.Stores.ToDictionaryAsync(s => s.StoreId, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);

        int inserted = 0, updated = 0, unchanged = 0;
        foreach (var row in parsed.Rows)
        {
            if (existing.TryGetValue(row.StoreId, out var store))
            {
                if (store.Rename(row.StoreName, row.AreaCode))
                {
                    updated++;
                }
                else
                {
                    unchanged++;
                }
            }
            else
            {
                store = Store.Create(row.StoreId, row.StoreName, row.AreaCode);
                db.Stores.Add(store);
                existing[store.StoreId] = store;
                inserted++;
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return new StoreImportSummary(inserted, updated, unchanged, parsed.Rejected);
    }
}
