namespace KC.Client;

/// <summary>
/// The body of <c>POST /api/submit</c>: store visits, each with its shelf photographs.
/// <see cref="Count"/> is the number of visits unless set otherwise.
/// </summary>
public sealed record JobSubmission
{
    private readonly int? _count;

    /// <summary>The contract's <c>count</c>: the number of visits. Set it only to send another number on purpose.</summary>
    public int Count
    {
        get => _count ?? Visits.Count;
        init => _count = value;
    }

    /// <summary>The visits of the job, at least one.</summary>
    public required IReadOnlyList<VisitSubmission> Visits { get; init; }

    /// <summary>An absolute http or https URL that receives the job's final status body when it settles; null for none.</summary>
    public Uri? CallbackUrl { get; init; }
}

/// <summary>One store visit of a submission.</summary>
public sealed record VisitSubmission
{
    /// <summary>The store's id in the store master; an unknown one fails the visit's images, not the submit.</summary>
    public required string StoreId { get; init; }

    /// <summary>The visit's image URLs (the contract's <c>image_url</c>), absolute http or https, at least one.</summary>
    public required IReadOnlyList<Uri> ImageUrl { get; init; }

    /// <summary>When the visit took place; sent with its offset and stored as that instant in UTC.</summary>
    public required DateTimeOffset VisitTime { get; init; }
}

/// <summary>The answer to a submit.</summary>
public sealed record SubmittedJob
{
    /// <summary>The new job's id.</summary>
    public required long JobId { get; init; }

    /// <summary>
    /// True when the service answered a retry of an earlier submit with the same
    /// <c>Idempotency-Key</c> and body: no new job was made, <see cref="JobId"/> is the earlier one.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Replayed { get; init; }
}
