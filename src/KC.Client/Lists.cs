namespace KC.Client;

/// <summary>One page of a list: its items, the page asked for, and the size of the whole list.</summary>
/// <typeparam name="T">The kind of item.</typeparam>
public sealed record ResultPage<T>
{
    /// <summary>The items of this page.</summary>
    public required IReadOnlyList<T> Items { get; init; }

    /// <summary>The page number, from 1.</summary>
    public required int Page { get; init; }

    /// <summary>Items per page.</summary>
    public required int PageSize { get; init; }

    /// <summary>Items in the whole list.</summary>
    public required long TotalItems { get; init; }

    /// <summary>Pages in the whole list at this page size.</summary>
    public required long TotalPages { get; init; }
}

/// <summary>Which jobs <see cref="KcClient.ListJobsAsync"/> lists; every member is optional.</summary>
public sealed record JobQuery
{
    /// <summary>Only jobs in this state.</summary>
    public JobState? Status { get; init; }

    /// <summary>The page, from 1; the service's default (1) when null.</summary>
    public int? Page { get; init; }

    /// <summary>Items per page, at most 500; the service's default when null.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Which visits <see cref="KcClient.SearchVisitsAsync"/> finds; every member is optional.</summary>
public sealed record VisitQuery
{
    /// <summary>Only visits to stores of this area code (the store's current one).</summary>
    public string? Area { get; init; }

    /// <summary>Only visits to this store.</summary>
    public string? StoreId { get; init; }

    /// <summary>Only visits at or after this instant.</summary>
    public DateTimeOffset? StartDate { get; init; }

    /// <summary>Only visits at or before this instant.</summary>
    public DateTimeOffset? EndDate { get; init; }

    /// <summary>The page, from 1.</summary>
    public int? Page { get; init; }

    /// <summary>Items per page, at most 500.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Which stores <see cref="KcClient.ListStoresAsync"/> lists; every member is optional.</summary>
public sealed record StoreQuery
{
    /// <summary>Only stores of exactly this area code.</summary>
    public string? Area { get; init; }

    /// <summary>Only stores whose name contains this text, ignoring case (the query's <c>q</c>).</summary>
    public string? Name { get; init; }

    /// <summary>The page, from 1.</summary>
    public int? Page { get; init; }

    /// <summary>Items per page, at most 500.</summary>
    public int? PageSize { get; init; }
}

/// <summary>A visit found by the visits query, with the job it came in and its images' results.</summary>
public sealed record VisitResult
{
    /// <summary>The job the visit came in.</summary>
    public required long JobId { get; init; }

    /// <summary>The store's id as submitted.</summary>
    public required string StoreId { get; init; }

    /// <summary>The store's name in the current store master; null when the store is unknown.</summary>
    public string? StoreName { get; init; }

    /// <summary>The store's area code in the current store master; null when the store is unknown.</summary>
    public string? AreaCode { get; init; }

    /// <summary>When the visit took place, in UTC.</summary>
    public required DateTimeOffset VisitTime { get; init; }

    /// <summary>The visit's images in submission order.</summary>
    public required IReadOnlyList<ImageResult> Images { get; init; }
}
