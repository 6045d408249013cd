namespace KC.Application.Jobs.Commands.SubmitJob;

/// <summary>The <c>Api</c> section's limits on one submitted job.</summary>
public sealed class SubmitLimits
{
    public const string SectionName = "Api";

    /// <summary>Longest <c>Idempotency-Key</c> accepted, in characters.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    public int MaxImagesPerJob { get; set; } = 100_000;

    public int MaxVisitsPerJob { get; set; } = 100_000;

    /// <summary>Characters per image URL and per <c>callback_url</c>.</summary>
    public int MaxUrlLength { get; set; } = 2_048;

    public int MaxStoreIdLength { get; set; } = 64;

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long an <c>Idempotency-Key</c> keeps answering with its job; fractions of an hour are allowed.</summary>
    public double IdempotencyKeyHours { get; set; } = 24;
}
