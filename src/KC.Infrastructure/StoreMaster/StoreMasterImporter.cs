using System.Data.Common;
using KC.Application.Common.Interfaces;
using KC.Domain.Stores;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.StoreMaster;

/// <summary>Upserts a store-master CSV into the stores table in one transaction: at start-up and for uploads.</summary>
public sealed class StoreMasterImporter(KcDbContext db) : IStoreImporter
{
    // Two imports at once would both read a new id as absent and both insert it; one of them would
    // then fail on the primary key. On this node they take turns; across nodes (several starting
    // on one fresh database) the loser reads again, finds the other's rows, and updates them.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private const int MaxConflictRetries = 3;

    public async Task<StoreImportSummary> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        var parsed = StoreMasterCsvParser.Parse(csv);
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await UpsertAsync(parsed, cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException ex) when (attempt < MaxConflictRetries && ex.InnerException is DbException inner
                    && (SqlDialect.IsUniqueViolation(inner) || SqlDialect.IsTransient(inner)))
                {
                    // Another node inserted some of the same stores first.
                }
            }
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private async Task<StoreImportSummary> UpsertAsync(StoreMasterParseResult parsed, CancellationToken cancellationToken)
    {
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

        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A failed save must not leave its changes tracked for the next use of this context.
            db.ChangeTracker.Clear();
        }

        return new StoreImportSummary(inserted, updated, unchanged, parsed.Rejected);
    }
}
