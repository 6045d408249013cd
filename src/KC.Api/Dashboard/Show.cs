using System.Globalization;
using KC.Application.Common;
using KC.Domain.Jobs;

namespace KC.Api.Dashboard;

/// <summary>How the pages write numbers, times and statuses: formatting only, every rule stays in the Application and the Domain.</summary>
public static class Show
{
    public const string Nothing = "—";

    /// <summary>A UTC time to the second, as the pages write every time.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : Nothing;

    /// <summary>The same time as a machine reads it, for a <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Age(TimeSpan? age) => age switch
    {
        null => Nothing,
        { TotalSeconds: < 60 } a => $"{(int)a.TotalSeconds} s",
        { TotalMinutes: < 60 } a => $"{(int)a.TotalMinutes} min {a.Seconds} s",
        { TotalHours: < 48 } a => $"{(int)a.TotalHours} h {a.Minutes} min",
        { } a => $"{(int)a.TotalDays} d {a.Hours} h",
    };

    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>A duration in whole milliseconds, as the results record them.</summary>
    public static string Milliseconds(int? value) => value is { } ms ? $"{Number(ms)} ms" : Nothing;

    /// <summary>The share of the job's images that have settled, 0–100, rounded down so 100 means done.</summary>
    public static int Percent(JobProgress progress) =>
        progress.Total == 0 ? 100 : (int)((long)(progress.Total - progress.Pending) * 100 / progress.Total);

    public static string Status(JobStatus status) => StatusWords.Of(status);

    public static string Status(ImageState state) => StatusWords.Of(state);

    public static string Size(int? width, int? height) => width is { } w && height is { } h ? $"{w}×{h}" : Nothing;
}
