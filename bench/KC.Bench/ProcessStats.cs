using System.Diagnostics;
using System.Globalization;

namespace KC.Bench;

/// <summary>CPU time and peak resident memory of another process, read from Linux's /proc.</summary>
internal static class ProcessStats
{
    private static readonly Lazy<long> TicksPerSecond = new(ReadClockTicksPerSecond);

    /// <summary>User plus system CPU time of the process so far, in microseconds.</summary>
    public static long CpuMicroseconds(int pid)
    {
        // The command name (field 2) may hold spaces and parentheses; the fields after the last ')'
        // are plain. Counted from there, utime and stime (fields 14 and 15) are at 11 and 12.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1_000_000 / TicksPerSecond.Value;
    }

    /// <summary>The high-water mark of the process's resident set (VmHWM), in MiB.</summary>
    public static double PeakRssMib(int pid) => StatusMib(pid, "VmHWM:");

    /// <summary>The process's resident set now (VmRSS), in MiB.</summary>
    public static double RssMib(int pid) => StatusMib(pid, "VmRSS:");

    private static double StatusMib(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kib = long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kib / 1024.0;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {key} line.");
    }

    private static long ReadClockTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null)
            {
                var text = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit();
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                {
                    return ticks;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: fall back to the value of every mainstream Linux build.
        }

        return 100;
    }
}
