using KC.Application.Common.Exceptions;

namespace KC.Application.Common.Interfaces;

/// <summary>Upserts a store-master CSV: used at start-up and by the upload endpoint alike.</summary>
public interface IStoreImporter
{
    /// <summary>
    /// Imports the CSV in one transaction: new stores are inserted, changed ones updated, none deleted.
    /// Rows that cannot be used are skipped and reported; a file whose header cannot be used throws
    /// <see cref="StoreMasterFormatException"/> and imports nothing. Reads <paramref name="csv"/> synchronously.
    /// </summary>
    Task<StoreImportSummary> ImportAsync(Stream csv, CancellationToken cancellationToken);
}

/// <summary>What an import did: rows inserted, rows that changed a store, rows that changed nothing, and rows refused with why.</summary>
public sealed record StoreImportSummary(int Inserted, int Updated, int Unchanged, IReadOnlyList<RejectedRow> Rejected);

/// <summary>A record of the master that was refused: the physical line it starts on and why.</summary>
public sealed record RejectedRow(int Line, string Reason);
