using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// A 10-image job submitted 2 s after a large one started: with a fair claim order it finishes in
/// about the time its own images take, not after the large job's backlog.
/// </summary>
internal static class FairnessScenario
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(64);
        var backgroundImages = environment.Sizes.FairnessBackgroundImages;
        await using var service = await ServiceRun.StartAsync(environment, "fairness", settings, cancellationToken);

        var background = await service.Api.SubmitAsync(JobPayload.Build(environment.Photos, environment.StoreIds, backgroundImages), cancellationToken);
        var small = await SmallJobBehind.RunAsync(service.Api, background, environment.Photos, environment.StoreIds, cancellationToken);

        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"fairness: the {SmallJobBehind.Images}-image job completed {small.Completion.TotalSeconds:0.00} s after its 201 (large job {small.BackgroundStatus})"));
        return
        [
            new ResultRow(
                "Fairness",
                string.Create(CultureInfo.InvariantCulture, $"{SmallJobBehind.Images} images 2 s after a {backgroundImages:#,0}-image job, {settings.Describe()}"),
                "completion s",
                small.Completion.TotalSeconds,
                "0.00",
                Target.Maximum(3),
                WallSeconds: small.Completion.TotalSeconds,
                PeakRssMib: service.PeakRssMib,
                Notes: string.Create(CultureInfo.InvariantCulture,
                    $"large job {small.BackgroundStatus} at that point; small submit {small.SubmitLatency.TotalMilliseconds:0} ms; results verified")),
        ];
    }
}
