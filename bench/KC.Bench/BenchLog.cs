using System.Diagnostics;
using System.Globalization;

namespace KC.Bench;

/// <summary>Progress lines while scenarios run, so a long run shows it is alive and where the time goes.</summary>
internal static class BenchLog
{
    private static long _origin = Stopwatch.GetTimestamp();

    /// <summary>Times are shown from here on.</summary>
    public static void Start() => _origin = Stopwatch.GetTimestamp();

    public static void Line(string message) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Stopwatch.GetElapsedTime(_origin).TotalSeconds,6:0.0} s] {message}"));
}
