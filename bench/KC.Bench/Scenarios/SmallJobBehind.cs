using System.Diagnostics;

namespace KC.Bench.Scenarios;

/// <summary>The small job's time from its 201 to completed, and how far the large job ahead of it was by then.</summary>
internal sealed record SmallJobTiming(TimeSpan Completion, TimeSpan SubmitLatency, string BackgroundStatus);

/// <summary>
/// A 10-image job submitted 2 s after a large one's 201, timed to its completion: the fairness
/// scenario's measurement, also taken during the S = 64 photo run.
/// </summary>
internal static class SmallJobBehind
{
    public const int Images = 10;

    public static readonly TimeSpan SubmitAfter = TimeSpan.FromSeconds(2);

    /// <summary>Submits the small job 2 s after <paramref name="background"/>'s 201, waits for it and checks its results image by image.</summary>
    public static async Task<SmallJobTiming> RunAsync(
        KcClient api, Submitted background, ImageCatalog images, IReadOnlyList<string> storeIds, CancellationToken cancellationToken)
    {
        var body = JobPayload.Build(images, storeIds, Images);
        var wait = SubmitAfter - Stopwatch.GetElapsedTime(background.AcceptedTimestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        var small = await api.SubmitAsync(body, cancellationToken);
        var completion = await api.WaitForCompletionAsync(small, ServiceRun.PollInterval, TimeSpan.FromSeconds(120), cancellationToken);

        // Only meaningful while the large job was still queued ahead: the caller says so if it was not.
        var backgroundStatus = await api.StatusAsync(background.JobId, cancellationToken);
        await api.VerifyResultsAsync(small.JobId, images, Images, cancellationToken);
        return new SmallJobTiming(completion, small.Latency, backgroundStatus);
    }
}
