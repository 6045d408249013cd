using KC.Domain.Jobs;

namespace KC.Application.Processing.Stages;

/// <summary>
/// What is known of one claimed image on its way through the stages; each stage sets what it learns.
/// Only the measured size travels, never the bytes.
/// </summary>
internal sealed class ImageInFlight(ClaimedImage claimed)
{
    public ClaimedImage Claimed { get; } = claimed;

    /// <summary>Measured by the download; what the GPU step works on.</summary>
    public ImageSize? Size { get; set; }

    /// <summary>HTTP attempts of this claim: none until the download starts.</summary>
    public int Attempts { get; set; }

    /// <summary>The error of the last HTTP attempt that failed, kept when a retry then succeeded.</summary>
    public string? LastError { get; set; }

    /// <summary>The bytes of the body, once it was read whole.</summary>
    public long? Bytes { get; set; }

    /// <summary>How long the download took, whether it succeeded or not; null until it ends.</summary>
    public TimeSpan? DownloadTime { get; set; }

    /// <summary>How long the GPU step took; null until it ends.</summary>
    public TimeSpan? GpuTime { get; set; }

    public ImageOutcome Failed(string error, ImageFailureReason reason) => WithTimings(ImageOutcome.Failed(Claimed, error, Attempts, reason));

    /// <summary>The outcome of an image every stage passed.</summary>
    public ImageOutcome Succeeded() => WithTimings(ImageOutcome.Succeeded(
        Claimed,
        Size ?? throw new InvalidOperationException("No stage measured the image: the pipeline has no download stage."),
        Attempts,
        LastError));

    private ImageOutcome WithTimings(ImageOutcome outcome) => outcome with
    {
        Bytes = Bytes,
        DownloadMs = Milliseconds(DownloadTime),
        GpuMs = Milliseconds(GpuTime),
    };

    private static int? Milliseconds(TimeSpan? time) => time is { } t ? (int)Math.Min(int.MaxValue, Math.Round(t.TotalMilliseconds)) : null;
}
