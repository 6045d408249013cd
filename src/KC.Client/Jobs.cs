namespace KC.Client;

/// <summary>Where a job or a visit stands. Every state but <see cref="Ongoing"/> is final.</summary>
public enum JobState
{
    /// <summary>Some image has not settled yet.</summary>
    Ongoing,

    /// <summary>Every image succeeded.</summary>
    Completed,

    /// <summary>Every image settled and at least one failed (or its store is unknown).</summary>
    Failed,

    /// <summary>Cancelled before every image settled; images already settled keep their results.</summary>
    Cancelled,
}

/// <summary>Where one image stands.</summary>
public enum ImageState
{
    /// <summary>Waiting to be downloaded, or for a retry.</summary>
    Pending,

    /// <summary>Being downloaded or in the GPU step.</summary>
    Processing,

    /// <summary>Measured: width, height and perimeter are set.</summary>
    Succeeded,

    /// <summary>Failed; <see cref="ImageResult.Error"/> says why.</summary>
    Failed,

    /// <summary>Its job was cancelled before it settled.</summary>
    Cancelled,
}

/// <summary>A job's images by where they stand: <c>Succeeded + Failed + Cancelled + Pending = Total</c>.</summary>
public sealed record JobProgress
{
    /// <summary>All images of the job.</summary>
    public required int Total { get; init; }

    /// <summary>Images measured.</summary>
    public required int Succeeded { get; init; }

    /// <summary>Images that failed.</summary>
    public required int Failed { get; init; }

    /// <summary>Images cancelled with their job.</summary>
    public required int Cancelled { get; init; }

    /// <summary>Images not settled yet.</summary>
    public required int Pending { get; init; }

    /// <summary>Images that have an outcome: <c>Succeeded + Failed + Cancelled</c>.</summary>
    public int Settled => Succeeded + Failed + Cancelled;
}

/// <summary>One failing store of a failed job, with a summary of its failures.</summary>
public sealed record StoreError
{
    /// <summary>The store's id as submitted.</summary>
    public required string StoreId { get; init; }

    /// <summary>Why: <c>unknown store_id</c>, <c>url: error</c>, or <c>N images failed: …</c>.</summary>
    public required string Error { get; init; }
}

/// <summary>The body of <c>GET /api/status</c> (and of a cancel, and of a completion callback).</summary>
public sealed record JobStatus
{
    /// <summary>The job's id.</summary>
    public required long JobId { get; init; }

    /// <summary>Where the job stands.</summary>
    public required JobState Status { get; init; }

    /// <summary>The job's images by where they stand.</summary>
    public required JobProgress Progress { get; init; }

    /// <summary>The failing stores, in the order they appear in the job; empty unless <see cref="Status"/> is <see cref="JobState.Failed"/>.</summary>
    public IReadOnlyList<StoreError> Error { get; init; } = [];
}

/// <summary>The body of <c>GET /api/jobs/{job_id}</c>: the job with every visit and every image's result.</summary>
public sealed record JobDetails
{
    /// <summary>The job's id.</summary>
    public required long JobId { get; init; }

    /// <summary>Where the job stands.</summary>
    public required JobState Status { get; init; }

    /// <summary>When the job was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job settled; null while it is ongoing.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>While the job is ongoing, when it should settle at the rate observed since it was created; otherwise null.</summary>
    public DateTimeOffset? EstimatedCompletionAt { get; init; }

    /// <summary>The job's images by where they stand.</summary>
    public required JobProgress Progress { get; init; }

    /// <summary>The visits in submission order.</summary>
    public required IReadOnlyList<Visit> Visits { get; init; }

    /// <summary>The failing stores, as in <see cref="JobStatus.Error"/>.</summary>
    public IReadOnlyList<StoreError> Error { get; init; } = [];

    /// <summary>The completion callback and its attempts; null for a job submitted without a <c>callback_url</c>.</summary>
    public JobCallback? Callback { get; init; }
}

/// <summary>A visit of a job, with its images' results.</summary>
public sealed record Visit
{
    /// <summary>The store's id as submitted.</summary>
    public required string StoreId { get; init; }

    /// <summary>The store's name in the current store master; null when the store is unknown.</summary>
    public string? StoreName { get; init; }

    /// <summary>The store's area code in the current store master; null when the store is unknown.</summary>
    public string? AreaCode { get; init; }

    /// <summary>When the visit took place, in UTC.</summary>
    public required DateTimeOffset VisitTime { get; init; }

    /// <summary>Where the visit's images stand, in the words of a job.</summary>
    public required JobState Status { get; init; }

    /// <summary>The visit's images in submission order.</summary>
    public required IReadOnlyList<ImageResult> Images { get; init; }
}

/// <summary>One image and its result.</summary>
public sealed record ImageResult
{
    /// <summary>The image's URL as submitted (trimmed).</summary>
    public required string ImageUrl { get; init; }

    /// <summary>Where the image stands.</summary>
    public required ImageState Status { get; init; }

    /// <summary>HTTP requests made to download it, retries and redirect hops included.</summary>
    public required int Attempts { get; init; }

    /// <summary>Width in pixels, once measured.</summary>
    public int? Width { get; init; }

    /// <summary>Height in pixels, once measured.</summary>
    public int? Height { get; init; }

    /// <summary><c>2 * (width + height)</c>, once measured.</summary>
    public long? Perimeter { get; init; }

    /// <summary>Why the image failed; null unless it did.</summary>
    public string? Error { get; init; }

    /// <summary>The error of the last attempt that failed, kept when a retry then succeeded.</summary>
    public string? LastError { get; init; }

    /// <summary>Bytes of the body downloaded, once the download ended.</summary>
    public long? Bytes { get; init; }

    /// <summary>Milliseconds the download took, retries included.</summary>
    public int? DownloadMs { get; init; }

    /// <summary>Milliseconds the image spent in the GPU step.</summary>
    public int? GpuMs { get; init; }
}

/// <summary>Where a completion callback stands.</summary>
public enum CallbackState
{
    /// <summary>The job has not settled yet, or retries remain.</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Every attempt failed.</summary>
    Failed,
}

/// <summary>A job's completion callback.</summary>
public sealed record JobCallback
{
    /// <summary>The receiver's URL, the submit's <c>callback_url</c>.</summary>
    public required string Url { get; init; }

    /// <summary>Where the delivery stands.</summary>
    public required CallbackState Status { get; init; }

    /// <summary>Every POST so far, oldest first.</summary>
    public required IReadOnlyList<CallbackAttempt> Attempts { get; init; }
}

/// <summary>One POST of a completion callback.</summary>
public sealed record CallbackAttempt
{
    /// <summary>When the attempt was made.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The receiver's HTTP status; null when no answer came.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Why the attempt failed; null when it delivered.</summary>
    public string? Error { get; init; }
}

/// <summary>A job in the job list: its status and counters, without its visits.</summary>
public sealed record JobSummary
{
    /// <summary>The job's id.</summary>
    public required long JobId { get; init; }

    /// <summary>Where the job stands.</summary>
    public required JobState Status { get; init; }

    /// <summary>When the job was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job settled; null while it is ongoing.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The job's images by where they stand.</summary>
    public required JobProgress Progress { get; init; }
}
