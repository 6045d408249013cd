namespace KC.Domain.Jobs;

/// <summary>
/// How visit times are kept: in UTC, to the microsecond. A microsecond is the finest resolution
/// every supported database stores exactly (PostgreSQL's timestamps stop there), so a visit time
/// reads back as it was stored and compares the same on every provider.
/// </summary>
public static class VisitTimes
{
    public static readonly TimeSpan Resolution = TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond);

    /// <summary>The visit time as it is stored: UTC, anything finer than a microsecond dropped.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % Resolution.Ticks));
    }

    /// <summary>The first stored visit time at or after <paramref name="time"/>.</summary>
    public static DateTimeOffset FirstAtOrAfter(DateTimeOffset time)
    {
        var floor = Normalize(time);
        return floor == time.ToUniversalTime() || floor > DateTimeOffset.MaxValue - Resolution ? floor : floor + Resolution;
    }

    /// <summary>The first stored visit time after <paramref name="time"/>, or null when none can be.</summary>
    public static DateTimeOffset? FirstAfter(DateTimeOffset time)
    {
        var floor = Normalize(time);
        return floor > DateTimeOffset.MaxValue - Resolution ? null : floor + Resolution;
    }
}
