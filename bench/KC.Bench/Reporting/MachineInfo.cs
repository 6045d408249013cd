using System.Globalization;
using System.Runtime.InteropServices;

namespace KC.Bench.Reporting;

/// <summary>What a reader needs to compare two result files: the machine, the runtime and how busy it was.</summary>
internal sealed record MachineInfo(int Cores, string CpuModel, double MemoryGib, string Runtime, string OperatingSystem, string LoadAverage)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ReadMemoryGib(),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        ReadLoadAverage());

    /// <summary>The 1-minute load average now; above the core count, other work is competing.</summary>
    public static double CurrentLoad() =>
        double.TryParse(ReadLoadAverage().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : 0;

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Cores} cores (nproc), {CpuModel}, {MemoryGib:0.0} GiB memory, {Runtime}, {OperatingSystem}");

    private static string ReadLoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double ReadMemoryGib()
    {
        var kib = FirstValue("/proc/meminfo", "MemTotal")?.Split(' ')[0];
        return long.TryParse(kib, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value / 1024.0 / 1024.0 : 0;
    }

    private static string? FirstValue(string path, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path)
            .Where(line => line.StartsWith(key, StringComparison.Ordinal) && line.Contains(':', StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();
    }
}
