using KC.Application.Common.Telemetry;
using KC.Application.Processing.Stages;
using Microsoft.Extensions.Logging;

namespace KC.Application.Processing;

/// <summary>
/// The stages every claimed image goes through, in order (<see cref="Create"/> lists them). A stage
/// passes the image on or settles it; an image that passes them all succeeded, with the size and
/// attempts its download recorded. A new image check is one more <see cref="IImageStage"/> in that list.
/// </summary>
internal sealed partial class ImagePipeline : IDisposable
{
    private readonly IImageStage[] _stages;
    private readonly ILogger<ImagePipeline> _logger;

    public ImagePipeline(IEnumerable<IImageStage> stages, ILogger<ImagePipeline> logger)
    {
        _stages = [.. stages];
        _logger = logger;
    }

    /// <summary>The GPU stage's slots; none when the pipeline has no GPU stage.</summary>
    public SlotUsage GpuSlots => _stages.OfType<GpuStage>().Select(s => s.Usage).FirstOrDefault();

    /// <summary>The download stage's slots; none when the pipeline has no download stage.</summary>
    public SlotUsage DownloadSlots => _stages.OfType<DownloadStage>().Select(s => s.Usage).FirstOrDefault();

    public static ImagePipeline Create(ProcessingOptions options, IImageDownloader downloader, IGpuStep gpu, KcTelemetry telemetry, ILogger<ImagePipeline> logger) =>
        new(
            [
                new ClaimCapStage(options.MaxClaims),
                new DownloadStage(downloader, options.EffectiveDownloadConcurrency, telemetry),
                new GpuStage(gpu, options.MaxConcurrency, telemetry),
            ],
            logger);

    /// <summary>
    /// Runs <paramref name="claimed"/> through the stages. Throws <see cref="OperationCanceledException"/>
    /// only when <paramref name="cancellationToken"/> fired; any other failure becomes the image's outcome,
    /// so no image stays leased for want of one.
    /// </summary>
    public async ValueTask<ImageOutcome> RunAsync(ClaimedImage claimed, CancellationToken cancellationToken)
    {
        var image = new ImageInFlight(claimed);
        foreach (var stage in _stages)
        {
            try
            {
                if (await stage.RunAsync(image, cancellationToken).ConfigureAwait(false) is { } settled)
                {
                    return settled;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // An HttpClient timeout is a cancellation nobody asked for: it lands here too.
                LogUnexpectedFailure(ex, claimed.ImageId, claimed.JobId);
                return image.Failed($"unexpected error: {ex.Message}", ImageFailureReason.Other);
            }
        }

        return image.Succeeded();
    }

    public void Dispose()
    {
        foreach (var stage in _stages.OfType<IDisposable>())
        {
            stage.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure processing image {ImageId} of job {JobId}")]
    private partial void LogUnexpectedFailure(Exception exception, long imageId, long jobId);
}
