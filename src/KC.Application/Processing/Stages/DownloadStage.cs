using System.Diagnostics;
using KC.Application.Common.Telemetry;

namespace KC.Application.Processing.Stages;

/// <summary>
/// Downloads the image and measures it as the body streams in, within the download slots
/// (<c>Processing:DownloadConcurrency</c>). A download that failed for good fails the image with
/// its message and the attempts it took. The time is taken from the moment a slot is held.
/// </summary>
internal sealed class DownloadStage(IImageDownloader downloader, int slots, KcTelemetry telemetry) : IImageStage, IDisposable
{
    private readonly SemaphoreSlim _slots = new(slots);

    /// <summary>The download slots and how many downloads hold one now.</summary>
    public SlotUsage Usage => new(slots - _slots.CurrentCount, slots);

    public async ValueTask<ImageOutcome?> RunAsync(ImageInFlight image, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var span = KcTelemetry.Traces.StartActivity(KcTelemetry.DownloadSpan);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The first attempt is under way: an unexpected failure from here on counts it.
            image.Attempts = 1;
            var download = await downloader.DownloadAsync(new Uri(image.Claimed.Url), cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            image.Size = download.Size;
            image.Bytes = download.Bytes;
            image.DownloadTime = elapsed;
            image.Attempts = download.Attempts;
            image.LastError = download.LastError;
            telemetry.DownloadFinished(elapsed, download.Bytes);
            span?.SetTag("kc.image.bytes", download.Bytes).SetTag("kc.image.attempts", download.Attempts);
            return null;
        }
        catch (ImageFailureException ex)
        {
            image.DownloadTime = Stopwatch.GetElapsedTime(started);
            image.Attempts = ex.Attempts;
            span?.SetTag("kc.image.attempts", ex.Attempts).SetStatus(ActivityStatusCode.Error, ex.Message);
            return image.Failed(ex.Message, ex.Reason);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
