using System.Diagnostics;
using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// A 10-image job submitted 2 s after a large one started: with a fair claim order it finishes in
/// about the time its own images take, not after the large job's backlog.
/// </summary>
internal static class FairnessScenario
{
    private const int SmallJobImages = 10;
    private static readonly TimeSpan SubmitAfter = TimeSpan.FromSeconds(2);

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(64);
        var backgroundImages = environment.Sizes.FairnessBackgroundImages;
        await using var service = await ServiceRun.StartAsync(environment, "fairness", settings, cancellationToken);

        var background = await service.Api.SubmitAsync(JobPayload.Build(environment.Photos, environment.StoreIds, backgroundImages), cancellationToken);
        var smallBody = JobPayload.Build(environment.Photos, environment.StoreIds, SmallJobImages);
        var wait = SubmitAfter - Stopwatch.GetElapsedTime(background.AcceptedTimestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        var small = await service.Api.SubmitAsync(smallBody, cancellationToken);
        var completion = await service.Api.WaitForCompletionAsync(small, ServiceRun.PollInterval, TimeSpan.FromSeconds(120), cancellationToken);

        // Only meaningful while the large job was still queued ahead: say so if it was not.
        var backgroundStatus = await service.Api.StatusAsync(background.JobId, cancellationToken);
        await service.Api.VerifyResultsAsync(small.JobId, environment.Photos, SmallJobImages, cancellationToken);

        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"fairness: the {SmallJobImages}-image job completed {completion.TotalSeconds:0.00} s after its 201 (large job {backgroundStatus})"));
        return
        [
            new ResultRow(
                "Fairness",
                string.Create(CultureInfo.InvariantCulture, $"{SmallJobImages} images 2 s after a {backgroundImages:#,0}-image job, {settings.Describe()}"),
                "completion s",
                completion.TotalSeconds,
                "0.00",
                Target.Maximum(3),
                WallSeconds: completion.TotalSeconds,
                PeakRssMib: service.PeakRssMib,
                Notes: string.Create(CultureInfo.InvariantCulture,
                    $"large job {backgroundStatus} at that point; small submit {small.Latency.TotalMilliseconds:0} ms; results verified")),
        ];
    }
}
