namespace KC.Application.Processing.Stages;

/// <summary>
/// Downloads the image and measures it as the body streams in, within the download slots
/// (<c>Processing:DownloadConcurrency</c>). A download that failed for good fails the image with
/// its message and the attempts it took.
/// </summary>
internal sealed class DownloadStage(IImageDownloader downloader, int slots) : IImageStage, IDisposable
{
    private readonly SemaphoreSlim _slots = new(slots);

    /// <summary>The download slots and how many downloads hold one now.</summary>
    public SlotUsage Usage => new(slots - _slots.CurrentCount, slots);

    public async ValueTask<ImageOutcome?> RunAsync(ImageInFlight image, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The first attempt is under way: an unexpected failure from here on counts it.
            image.Attempts = 1;
            var download = await downloader.DownloadAsync(new Uri(image.Claimed.Url), cancellationToken).ConfigureAwait(false);
            image.Size = download.Size;
            image.Attempts = download.Attempts;
            image.LastError = download.LastError;
            return null;
        }
        catch (ImageFailureException ex)
        {
            image.Attempts = ex.Attempts;
            return image.Failed(ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
