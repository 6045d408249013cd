using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// The same settings with a job ten times larger, each on a fresh service: peak RSS should track
/// the slots in flight, not the size of the job.
/// </summary>
internal static class MemoryScenario
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(1_024);
        var rows = new List<ResultRow>();
        var peaks = new List<(int Images, double PeakRssMib)>();
        foreach (var images in environment.Sizes.MemoryImages)
        {
            await using var service = await ServiceRun.StartAsync(environment, $"memory-{images}", settings, cancellationToken);
            var job = await service.RunJobAsync(environment.Photos, environment.StoreIds, images, cancellationToken);
            peaks.Add((images, job.PeakRssMib));
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
                $"memory: {images:#,0} images, peak RSS {job.PeakRssMib:0} MiB, {job.ServiceCpuMicrosPerImage:#,0} µs CPU per image"));
            rows.Add(ResultRow.ForJob(
                "Resources",
                Workloads.Describe(images, settings),
                "peak RSS MiB",
                job.PeakRssMib,
                "0",
                Target.Maximum(300),
                job,
                string.Create(CultureInfo.InvariantCulture,
                    $"peak by the 201 {job.PeakRssBy201Mib:0} MiB, RSS at the end {job.RssAtEndMib:0} MiB; efficiency {job.ImagesPerSecond / settings.BoundImagesPerSecond:0.000}; submit {job.SubmitLatency.TotalMilliseconds:0} ms")));
        }

        if (peaks.Count >= 2)
        {
            var (smallImages, smallPeak) = peaks[0];
            var (largeImages, largePeak) = peaks[^1];
            rows.Add(new ResultRow(
                "Resources",
                string.Create(CultureInfo.InvariantCulture, $"{largeImages:#,0} vs {smallImages:#,0} images, {settings.Describe()}"),
                "RSS growth MiB",
                largePeak - smallPeak,
                "+0;-0;0",
                Notes: string.Create(CultureInfo.InvariantCulture,
                    $"{largeImages / smallImages}× the images: peak RSS {smallPeak:0} → {largePeak:0} MiB ({(largePeak / smallPeak) - 1:+0%;-0%;0%})")));
        }

        return rows;
    }
}
