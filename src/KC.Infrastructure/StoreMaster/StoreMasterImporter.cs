using System.Data.Common;
using KC.Application.Common.Interfaces;
using KC.Domain.Stores;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace KC.Infrastructure.StoreMaster;

/// <summary>
/// Upserts a store-master CSV into the stores table in one transaction, at start-up and for uploads.
/// The file is read as a stream and written in batches of <see cref="BatchSize"/> rows, so memory does
/// not grow with its size; only the ids seen so far are kept, to refuse a repeated one.
/// </summary>
public sealed class StoreMasterImporter(KcDbContext db) : IStoreImporter
{
    /// <summary>Rows looked up and written together; keeps each IN list well under every provider's parameter limit.</summary>
    public const int BatchSize = 500;

    // Two imports at once would both read a new id as absent and both insert it; one of them would
    // then fail on the primary key. On this node they take turns; across nodes (several starting
    // on one fresh database) the loser reads again, finds the other's rows, and updates them.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private const int MaxConflictRetries = 3;

    public async Task<StoreImportSummary> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var start = csv.CanSeek ? csv.Position : 0;
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await UpsertAsync(csv, cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException ex) when (attempt < MaxConflictRetries && csv.CanSeek && ex.InnerException is DbException inner
                    && (SqlDialect.IsUniqueViolation(inner) || SqlDialect.IsTransient(inner)))
                {
                    // Another node inserted some of the same stores first: read the file again.
                    csv.Position = start;
                }
            }
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private async Task<StoreImportSummary> UpsertAsync(Stream csv, CancellationToken cancellationToken)
    {
        var rejected = new RejectedRows();
        var counts = new Counts();
        var batch = new List<StoreMasterRow>(BatchSize);
        IDbContextTransaction? transaction = null;
        try
        {
            await foreach (var row in StoreMasterCsvParser.ParseAsync(csv, rejected, cancellationToken).ConfigureAwait(false))
            {
                batch.Add(row);
                if (batch.Count == BatchSize)
                {
                    // Begun with the first write, so a file that yields no store (garbage, say) holds no lock at all.
                    transaction ??= await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await WriteBatchAsync(batch, counts, cancellationToken).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                transaction ??= await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await WriteBatchAsync(batch, counts, cancellationToken).ConfigureAwait(false);
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            // A failed import must not leave its changes tracked for the next use of this context.
            db.ChangeTracker.Clear();
        }

        return new StoreImportSummary(counts.Inserted, counts.Updated, counts.Unchanged, rejected.Listed, rejected.Total);
    }

    private async Task WriteBatchAsync(List<StoreMasterRow> batch, Counts counts, CancellationToken cancellationToken)
    {
        var ids = batch.Select(r => r.StoreId).ToList();
        var existing = await db.Stores
            .Where(s => ids.Contains(s.StoreId))
            .ToDictionaryAsync(s => s.StoreId, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);

        foreach (var row in batch)
        {
            if (existing.TryGetValue(row.StoreId, out var store))
            {
                if (store.Rename(row.StoreName, row.AreaCode))
                {
                    counts.Updated++;
                }
                else
                {
                    counts.Unchanged++;
                }
            }
            else
            {
                db.Stores.Add(Store.Create(row.StoreId, row.StoreName, row.AreaCode));
                counts.Inserted++;
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        // Written stores need no tracking: the parser has already refused any later row with their id.
        db.ChangeTracker.Clear();
    }

    private sealed class Counts
    {
        public int Inserted { get; set; }

        public int Updated { get; set; }

        public int Unchanged { get; set; }
    }
}
