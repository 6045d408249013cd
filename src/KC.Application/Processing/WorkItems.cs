using KC.Domain.Jobs;

namespace KC.Application.Processing;

/// <summary>
/// An image this node has claimed from the queue and holds a lease on. <see cref="PriorAttempts"/>
/// is the attempt count already recorded on it: attempts are recorded with an outcome, so the
/// requests of a claim that was released or lapsed are not in it. <see cref="Claims"/> counts this
/// claim and every earlier one that ended without an outcome (a node that died, or a lease that
/// lapsed); graceful releases are not counted.
/// </summary>
public sealed record ClaimedImage(long ImageId, long JobId, long VisitId, string Url, int PriorAttempts, int Claims = 1)
{
    /// <summary>
    /// The W3C <c>traceparent</c> of the submit that created the image's job, read only while
    /// someone listens to KC's traces; null otherwise, or when the submit had none.
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>
/// What processing one image came to. Exactly one of <see cref="Size"/> and <see cref="Error"/> is
/// set. <see cref="Attempts"/> counts the HTTP attempts of this claim; <see cref="LastError"/> is the
/// error of the last attempt that failed, kept even when a retry then succeeded.
/// </summary>
public sealed record ImageOutcome(long ImageId, long JobId, ImageSize? Size, string? Error, int Attempts = 1, string? LastError = null)
{
    /// <summary>What kind of failure it was; <see cref="ImageFailureReason.None"/> for a success.</summary>
    public ImageFailureReason Reason { get; init; }

    /// <summary>The bytes the body held; null unless the download read it whole.</summary>
    public long? Bytes { get; init; }

    /// <summary>Milliseconds the download took, retries and body included; null when it never started.</summary>
    public int? DownloadMs { get; init; }

    /// <summary>Milliseconds of the GPU step; null when it never ran.</summary>
    public int? GpuMs { get; init; }

    public static ImageOutcome Succeeded(ClaimedImage image, ImageSize size, int attempts = 1, string? lastError = null) =>
        new(image.ImageId, image.JobId, size, null, attempts, lastError);

    public static ImageOutcome Failed(ClaimedImage image, string error, int attempts = 1, ImageFailureReason reason = ImageFailureReason.Other) =>
        new(image.ImageId, image.JobId, null, error, attempts, error) { Reason = reason };

    public bool IsSuccess => Size is not null;
}
