using KC.Application.Common.Exceptions;

namespace KC.Application.Common.Interfaces;

/// <summary>Upserts a store-master CSV: used at start-up and by the upload endpoint alike.</summary>
public interface IStoreImporter
{
    /// <summary>
    /// Imports the CSV in one transaction: new stores are inserted, changed ones updated, none deleted.
    /// Rows that cannot be used are skipped and counted, the first <see cref="StoreImportSummary.MaxListedRejections"/>
    /// of them reported; a file whose header cannot be used, or that holds a record too long to be a store,
    /// throws <see cref="StoreMasterFormatException"/> and imports nothing. <paramref name="csv"/> is read as a
    /// stream, asynchronously, and must be seekable: a conflict with another node's import reads it again.
    /// </summary>
    Task<StoreImportSummary> ImportAsync(Stream csv, CancellationToken cancellationToken);
}

/// <summary>
/// What an import did: rows inserted, rows that changed a store, rows that changed nothing, and the rows
/// refused: <see cref="RejectedTotal"/> of them, of which <see cref="Rejected"/> lists the first by line,
/// at most <see cref="MaxListedRejections"/>.
/// </summary>
public sealed record StoreImportSummary(int Inserted, int Updated, int Unchanged, IReadOnlyList<RejectedRow> Rejected, int RejectedTotal)
{
    /// <summary>
    /// The most rejected rows an import reports one by one, in its answer and in the start-up log. A file
    /// of garbage would otherwise produce an answer many times its own size.
    /// </summary>
    public const int MaxListedRejections = 100;
}

/// <summary>A record of the master that was refused: the physical line it starts on and why.</summary>
public sealed record RejectedRow(int Line, string Reason);
