using System.Globalization;
using KC.Application.Common.Time;
using KC.Domain.Jobs;

namespace KC.Application.Visits.Queries.SearchVisits;

/// <summary>
/// Reads the visits query's <c>startdate</c> and <c>enddate</c>: an RFC 3339 timestamp names an
/// instant; a plain date (<c>2025-03-11</c>) names that whole UTC day. Both ends are inclusive, and
/// both become UTC bounds of a half-open range [from, before), which is what the database compares.
/// </summary>
public static class VisitTimeBounds
{
    public const string Expected = "must be an RFC 3339 timestamp such as 2025-03-11T12:00:00Z, or a date such as 2025-03-11";

    /// <summary>The first instant <paramref name="text"/> admits; false when it is neither a timestamp nor a date.</summary>
    public static bool TryParseStart(string text, out DateTimeOffset from)
    {
        if (TryParseDate(text, out var date))
        {
            from = new DateTimeOffset(date, TimeOnly.MinValue, TimeSpan.Zero);
            return true;
        }

        var parsed = Rfc3339.TryParse(text, out from);
        from = VisitTimes.FirstAtOrAfter(from);
        return parsed;
    }

    /// <summary>
    /// The first instant after the ones <paramref name="text"/> admits: the next midnight for a date,
    /// the next stored visit time (<see cref="VisitTimes.Resolution"/>) after a timestamp. Null when
    /// nothing comes after it, so the range has no upper bound.
    /// </summary>
    public static bool TryParseEnd(string text, out DateTimeOffset? before)
    {
        before = null;
        if (TryParseDate(text, out var date))
        {
            if (date < DateOnly.MaxValue)
            {
                before = new DateTimeOffset(date.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero);
            }

            return true;
        }

        if (!Rfc3339.TryParse(text, out var end))
        {
            return false;
        }

        before = VisitTimes.FirstAfter(end);
        return true;
    }

    private static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
