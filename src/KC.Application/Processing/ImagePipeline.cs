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
    private DownloadStage? _download;
    private GpuStage? _gpu;

    public ImagePipeline(IEnumerable<IImageStage> stages, ILogger<ImagePipeline> logger)
    {
        _stages = [.. stages];
        _logger = logger;
    }

    public static ImagePipeline Create(ProcessingOptions options, IImageDownloader downloader, IGpuStep gpu, ILogger<ImagePipeline> logger)
    {
        var download = new DownloadStage(downloader, options.EffectiveDownloadConcurrency);
        var gpuStage = new GpuStage(gpu, options.MaxConcurrency);
        return new([new ClaimCapStage(options.MaxClaims), download, gpuStage], logger) { _download = download, _gpu = gpuStage };
    }

    /// <summary>How many of the download and GPU slots are held right now; zero of zero for a pipeline built without them.</summary>
    public SlotUsage Slots => new(_gpu?.Busy ?? 0, _gpu?.Slots ?? 0, _download?.Busy ?? 0, _download?.Slots ?? 0);

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
                LogUnexpectedFailure(ex, claimed.ImageId);
                return image.Failed($"unexpected error: {ex.Message}");
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure processing image {ImageId}")]
    private partial void LogUnexpectedFailure(Exception exception, long imageId);
}

/// <summary>The GPU and download slots of one node's engine, and how many of each are held now.</summary>
public readonly record struct SlotUsage(int GpuBusy, int GpuSlots, int DownloadBusy, int DownloadSlots);
