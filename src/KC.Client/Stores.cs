namespace KC.Client;

/// <summary>A store of the store master.</summary>
public sealed record Store
{
    /// <summary>The store's id.</summary>
    public required string StoreId { get; init; }

    /// <summary>The store's name.</summary>
    public required string StoreName { get; init; }

    /// <summary>The store's area code.</summary>
    public required string AreaCode { get; init; }
}

/// <summary>The answer to a store-master import: what the upsert did, and the rows it skipped.</summary>
public sealed record StoreImportResult
{
    /// <summary>Stores added.</summary>
    public required int Inserted { get; init; }

    /// <summary>Stores whose name or area code changed.</summary>
    public required int Updated { get; init; }

    /// <summary>Stores already as in the file.</summary>
    public required int Unchanged { get; init; }

    /// <summary>The first rejected rows (at most 100) by line; <see cref="RejectedTotal"/> counts them all.</summary>
    public required IReadOnlyList<RejectedRow> Rejected { get; init; }

    /// <summary>Rows rejected in all.</summary>
    public required int RejectedTotal { get; init; }
}

/// <summary>A row of an imported CSV that was skipped.</summary>
public sealed record RejectedRow
{
    /// <summary>The row's line in the file, from 1 (the header).</summary>
    public required int Line { get; init; }

    /// <summary>Why it was skipped.</summary>
    public required string Reason { get; init; }
}
