using System.Globalization;

namespace KC.Bench.Reporting;

/// <summary>A threshold from the issue; <see cref="AtLeast"/> says which side of it is good.</summary>
internal sealed record Target(double Threshold, bool AtLeast)
{
    public static Target Minimum(double threshold) => new(threshold, AtLeast: true);

    public static Target Maximum(double threshold) => new(threshold, AtLeast: false);

    public bool IsMetBy(double value) => AtLeast ? value >= Threshold : value <= Threshold;

    public string Describe(string format) =>
        (AtLeast ? "≥ " : "≤ ") + Threshold.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>
/// One figure of one scenario, with the resources of the run that produced it. Rows of repeated
/// runs are matched by scenario, workload and metric, so those three must not carry run-specific text.
/// </summary>
internal sealed record ResultRow(
    string Scenario,
    string Workload,
    string Metric,
    double Value,
    string Format,
    Target? Target = null,
    double? WallSeconds = null,
    double? ImagesPerSecond = null,
    double? PeakRssMib = null,
    double? ServiceCpuMicrosPerImage = null,
    double? BenchCpuMicrosPerImage = null,
    string Notes = "")
{
    /// <summary>The resource columns of a measured job, shared by every row it yields.</summary>
    public static ResultRow ForJob(string scenario, string workload, string metric, double value, string format, Target? target, JobMeasurement job, string notes = "") =>
        new(scenario, workload, metric, value, format, target,
            job.Wall.TotalSeconds, job.ImagesPerSecond, job.PeakRssMib, job.ServiceCpuMicrosPerImage, job.BenchCpuMicrosPerImage, notes);
}
