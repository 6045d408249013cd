using System.Globalization;

namespace KC.Api.Contracts;

/// <summary>A row of <c>GET /api/jobs/{job_id}/results.csv</c>: one image with its visit and store.</summary>
public sealed record JobResultCsvRow(
    string StoreId,
    string? StoreName,
    string? AreaCode,
    DateTime VisitTime,
    string ImageUrl,
    string Status,
    int? Width,
    int? Height,
    long? Perimeter,
    string? Error,
    long? Bytes,
    int? DownloadMs,
    int? GpuMs);

/// <summary>The columns of the results export and how a row fills them; a null is an empty field.</summary>
public static class JobResultsCsv
{
    public static IReadOnlyList<string> Header { get; } =
        ["store_id", "store_name", "area_code", "visit_time", "image_url", "status", "width", "height", "perimeter", "error", "bytes", "download_ms", "gpu_ms"];

    public static string FileName(long jobId) => $"job-{jobId}-results.csv";

    public static IReadOnlyList<string?> Fields(JobResultCsvRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return
        [
            Text(row.StoreId),
            Text(row.StoreName),
            Text(row.AreaCode),

            // The JSON endpoints' form: UTC with a Z, fraction only when there is one.
            row.VisitTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
            Text(row.ImageUrl),
            row.Status,
            row.Width?.ToString(CultureInfo.InvariantCulture),
            row.Height?.ToString(CultureInfo.InvariantCulture),
            row.Perimeter?.ToString(CultureInfo.InvariantCulture),
            Text(row.Error),
            row.Bytes?.ToString(CultureInfo.InvariantCulture),
            row.DownloadMs?.ToString(CultureInfo.InvariantCulture),
            row.GpuMs?.ToString(CultureInfo.InvariantCulture),
        ];
    }

    /// <summary>
    /// Text a client or the store master chose, made safe to open in a spreadsheet: a cell that
    /// starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return would be run as
    /// a formula (CSV injection), so it gets a leading <c>'</c>, which spreadsheets show as text.
    /// </summary>
    public static string? Text(string? value) =>
        value is [('=' or '+' or '-' or '@' or '\t' or '\r'), ..] ? "'" + value : value;
}
