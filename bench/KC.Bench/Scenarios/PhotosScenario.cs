using System.Globalization;
using KC.Bench.Reporting;

namespace KC.Bench.Scenarios;

/// <summary>
/// Phone photos of 2–5 MB instead of drawings of a few KB: first how fast this machine moves them
/// over loopback with no processing (the ceiling, at each download concurrency used below), then
/// KC at S = 64, 256 and 1,024 against the GPU bound and that ceiling, with status polls and a
/// small job during the S = 64 run; last a job of images just under the 25 MiB image limit.
/// </summary>
internal static class PhotosScenario
{
    private const string Name = "Photos";

    /// <summary>The S of the run with status pollers and the small job behind it.</summary>
    private const int ObservedSlots = 64;

    private const int NearLimitSlots = 64;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var photos = environment.PhonePhotos
            ?? throw new InvalidOperationException("The phone photos are generated when the photo scenario is selected.");
        var rows = new List<ResultRow>();

        // Measured before any service starts, so nothing else is running on the machine.
        var ceilings = new Dictionary<int, CeilingMeasurement>();
        foreach (var (slots, _) in environment.Sizes.Photos)
        {
            var connections = Connections(slots);
            var ceiling = await LoopbackCeiling.MeasureAsync(photos.Catalog, connections, environment.Sizes.CeilingWindow, cancellationToken);
            var wrk = await LoopbackCeiling.MeasureWithWrkAsync(
                photos.Catalog, connections, ceiling.RampUp, environment.Sizes.CeilingWindow, environment.TemporaryRoot, cancellationToken);
            ceilings[slots] = ceiling;
            var byWrk = wrk is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; wrk {wrk.MegabytesPerSecond:#,0} MB/s");
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
                $"photos: loopback ceiling at {connections:#,0} connections {ceiling.MegabytesPerSecond:#,0} MB/s, {ceiling.PhotosPerSecond:#,0} photos/s{byWrk}"));
            rows.Add(CeilingRow(photos, ceiling, wrk));
        }

        foreach (var (slots, images) in environment.Sizes.Photos)
        {
            rows.AddRange(await MeasureAsync(environment, photos, slots, images, ceilings[slots], cancellationToken));
        }

        rows.AddRange(await MeasureNearLimitAsync(environment, photos, cancellationToken));
        return rows;
    }

    /// <summary>
    /// The connections the service opens to the one image server at its defaults: 2 × S downloads
    /// in flight (<c>Processing:DownloadConcurrency</c>) over at most 256 connections to one host
    /// (<c>Processing:MaxConnectionsPerHost</c>). The ceiling is measured at the same number.
    /// </summary>
    private static int Connections(int slots) => Math.Min(2 * slots, 256);

    private static ResultRow CeilingRow(PhonePhotos photos, CeilingMeasurement ceiling, CeilingMeasurement? wrk)
    {
        var byWrk = wrk is null
            ? "wrk not on PATH"
            : string.Create(CultureInfo.InvariantCulture, $"wrk -t2 -c{wrk.Connections}: {wrk.MegabytesPerSecond:#,0} MB/s, {wrk.PhotosPerSecond:#,0} photos/s over {wrk.Window.TotalSeconds:0.0} s");
        return new ResultRow(
            Name,
            string.Create(CultureInfo.InvariantCulture, $"loopback ceiling, {ceiling.Connections:#,0} connections, no processing"),
            "MB/s",
            ceiling.MegabytesPerSecond,
            "#,0",
            WallSeconds: ceiling.Window.TotalSeconds,
            ImagesPerSecond: ceiling.PhotosPerSecond,
            BenchCpuMicrosPerImage: ceiling.BenchCpuMicrosPerPhoto,
            Notes: string.Create(CultureInfo.InvariantCulture,
                $"one HttpClient (SocketsHttpHandler, MaxConnectionsPerServer {ceiling.Connections:#,0}) reading every body through a 64 KiB buffer and discarding it; photos/s = bytes/s ÷ the mean photo ({photos.MeanPhotoBytes / 1e6:0.00} MB); window opened {ceiling.RampUp.TotalSeconds:0.0} s after the start, once every connection had its first response; {byWrk}"));
    }

    /// <summary>One photo job at S = <paramref name="slots"/>; at S = 64 with status pollers and the small job behind it.</summary>
    private static async Task<List<ResultRow>> MeasureAsync(
        BenchEnvironment environment, PhonePhotos photos, int slots, int images, CeilingMeasurement ceiling, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(slots);
        await using var service = await ServiceRun.StartAsync(environment, $"photos-s{slots}", settings, cancellationToken);

        var observed = slots == ObservedSlots;
        var latencies = new List<double>();
        Task<SmallJobTiming>? smallJob = null;
        var job = await service.RunJobAsync(
            photos.Catalog,
            environment.StoreIds,
            images,
            cancellationToken,
            observed
                ? async (submitted, stop) =>
                {
                    // The small job is timed to its own completion, which may come after the large job's.
                    smallJob = SmallJobBehind.RunAsync(service.Api, submitted, photos.Catalog, environment.StoreIds, cancellationToken);
                    latencies.AddRange(await StatusPollers.RunAsync(service.BaseAddress, submitted.JobId, stop));
                }
                : null);
        var small = smallJob is null ? null : await smallJob;
        await service.Api.VerifyResultsAsync(job.JobId, photos.Catalog, images, cancellationToken);

        var bytes = photos.Catalog.JobBytes(images);
        var megabytesPerSecond = bytes / 1e6 / job.Wall.TotalSeconds;
        var efficiency = job.ImagesPerSecond / settings.BoundImagesPerSecond;
        // A ceiling of nothing (a machine too busy to move a byte in the window) gives no ratio, and meets no target.
        var ratio = ceiling.MegabytesPerSecond > 0 ? megabytesPerSecond / ceiling.MegabytesPerSecond : double.NaN;
        var cpuPerMegabyte = job.ServiceCpuMicrosPerImage * images / (bytes / 1e6);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"photos S={slots}: {images:#,0} photos in {job.Wall.TotalSeconds:0.0} s, {job.ImagesPerSecond:#,0} photos/s, efficiency {efficiency:0.000}, {megabytesPerSecond:#,0} MB/s ({ratio:0.00} of the ceiling), {cpuPerMegabyte:#,0} µs CPU per MB, peak RSS {job.PeakRssMib:#,0} MiB"));

        var workload = Workloads.Describe(images, settings) + ", phone photos";
        var rows = new List<ResultRow>
        {
            ResultRow.ForJob(Name, workload, "efficiency", efficiency, "0.000", slots == ObservedSlots ? Target.Minimum(0.95) : null, job,
                string.Create(CultureInfo.InvariantCulture, $"bound {settings.BoundImagesPerSecond:#,0} photos/s; submit {job.SubmitLatency.TotalMilliseconds:0} ms; results verified")),
            ResultRow.ForJob(Name, workload, "MB/s", megabytesPerSecond, "#,0", null, job,
                string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:#,0} MB downloaded from the 201 to the completed poll")),
            ResultRow.ForJob(Name, workload, "MB/s ÷ ceiling", ratio, "0.00", slots == ObservedSlots ? null : Target.Minimum(0.80), job,
                string.Create(CultureInfo.InvariantCulture, $"ceiling {ceiling.MegabytesPerSecond:#,0} MB/s at {ceiling.Connections:#,0} connections, measured before the KC runs")),
            ResultRow.ForJob(Name, workload, "service CPU µs/MB", cpuPerMegabyte, "#,0", null, job,
                string.Create(CultureInfo.InvariantCulture, $"{job.ServiceCpuMicrosPerImage:#,0} µs per photo (the CPU column)")),
            PeakRssRow(workload, job),
        };

        if (observed)
        {
            var percentiles = StatusPollers.Summarise(latencies);
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
                $"photos S={slots}: status p99 {percentiles.At(99):0.0} ms over {percentiles.Count:#,0} polls; the {SmallJobBehind.Images}-photo job completed {small!.Completion.TotalSeconds:0.00} s after its 201 (large job {small.BackgroundStatus})"));
            rows.Add(ResultRow.ForJob(Name, workload, $"status p99 ms, {StatusPollers.Clients} pollers", percentiles.At(99), "0.0", Target.Maximum(10), job,
                StatusPollers.Describe(percentiles)));
            rows.Add(new ResultRow(
                Name,
                workload,
                $"{SmallJobBehind.Images}-photo job s",
                small.Completion.TotalSeconds,
                "0.00",
                Target.Maximum(3),
                WallSeconds: small.Completion.TotalSeconds,
                PeakRssMib: job.PeakRssMib,
                Notes: string.Create(CultureInfo.InvariantCulture,
                    $"submitted {SmallJobBehind.SubmitAfter.TotalSeconds:0} s after the large job's 201, timed from its own 201; large job {small.BackgroundStatus} at that point; small submit {small.SubmitLatency.TotalMilliseconds:0} ms; results verified")));
        }

        return rows;
    }

    /// <summary>Images just under <c>Processing:MaxImageBytes</c>: memory must not follow the body size.</summary>
    private static async Task<List<ResultRow>> MeasureNearLimitAsync(BenchEnvironment environment, PhonePhotos photos, CancellationToken cancellationToken)
    {
        var settings = new ServiceSettings(NearLimitSlots);
        var images = environment.Sizes.NearLimitImages;
        await using var service = await ServiceRun.StartAsync(environment, "photos-near-limit", settings, cancellationToken);
        var job = await service.RunJobAsync(photos.NearLimit, environment.StoreIds, images, cancellationToken);
        await service.Api.VerifyResultsAsync(job.JobId, photos.NearLimit, images, cancellationToken);

        var bytes = photos.NearLimit.JobBytes(images);
        var megabytesPerSecond = bytes / 1e6 / job.Wall.TotalSeconds;
        var cpuPerMegabyte = job.ServiceCpuMicrosPerImage * images / (bytes / 1e6);
        BenchLog.Line(string.Create(CultureInfo.InvariantCulture,
            $"photos near the limit: {images} images of {photos.NearLimit.BodyBytes.Max() / 1e6:0.0} MB in {job.Wall.TotalSeconds:0.0} s, {megabytesPerSecond:#,0} MB/s, peak RSS {job.PeakRssMib:#,0} MiB"));

        var workload = string.Create(CultureInfo.InvariantCulture,
            $"{images} images of {photos.NearLimit.BodyBytes.Max() / 1e6:0.0} MB (25 MiB limit), {settings.Describe()}");
        return
        [
            PeakRssRow(workload, job),
            ResultRow.ForJob(Name, workload, "MB/s", megabytesPerSecond, "#,0", null, job,
                string.Create(CultureInfo.InvariantCulture,
                    $"{bytes / 1e6:#,0} MB of noise PNGs ({PhonePhotos.MaxImageBytes:#,0}-byte limit); {cpuPerMegabyte:#,0} µs service CPU per MB; results verified")),
        ];
    }

    private static ResultRow PeakRssRow(string workload, JobMeasurement job) =>
        ResultRow.ForJob(Name, workload, "peak RSS MiB", job.PeakRssMib, "0", Target.Maximum(300), job,
            string.Create(CultureInfo.InvariantCulture, $"peak by the 201 {job.PeakRssBy201Mib:0} MiB, RSS at the end {job.RssAtEndMib:0} MiB"));
}
