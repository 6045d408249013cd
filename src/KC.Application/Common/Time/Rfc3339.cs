using System.Globalization;
using System.Text.RegularExpressions;

namespace KC.Application.Common.Time;

/// <summary>
/// Parses the timestamps clients send. The offset is required: a time without one names no
/// instant, and guessing a zone would silently move visits.
/// </summary>
public static partial class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || !Shape().IsMatch(text))
        {
            return false;
        }

        // .NET keeps at most seven fractional digits; RFC 3339 allows more.
        var normalized = Fraction().Replace(text, m => m.Value.Length > 8 ? m.Value[..8] : m.Value);
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex(@"\.\d+", RegexOptions.CultureInvariant)]
    private static partial Regex Fraction();
}
