using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Infrastructure;

/// <summary>
/// A CSV attachment written as its records are read: each record goes out as soon as it arrives,
/// so a job of any size is never held in memory. RFC 4180: CRLF line ends; a field holding a comma,
/// a quote, a CR or an LF is quoted, its quotes doubled. UTF-8 without a byte order mark.
/// </summary>
internal sealed class CsvDownloadResult(string fileName, IReadOnlyList<string> header, IAsyncEnumerable<IReadOnlyList<string?>> records) : IActionResult
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";

        // Only asynchronous writes: the response body refuses synchronous ones. Until the writer's
        // buffer first fills nothing is sent, so a failure on the first read still becomes a problem body.
        var line = new StringBuilder(256);
        var writer = new StreamWriter(response.Body, Utf8, bufferSize: 16 * 1024, leaveOpen: true);
        await using (writer)
        {
            await writer.WriteAsync(Format(line, header));
            await foreach (var record in records.WithCancellation(context.HttpContext.RequestAborted))
            {
                await writer.WriteAsync(Format(line, record));
            }

            await writer.FlushAsync(context.HttpContext.RequestAborted);
        }
    }

    /// <summary>One record and its CRLF, in <paramref name="line"/>'s reused buffer.</summary>
    internal static StringBuilder Format(StringBuilder line, IReadOnlyList<string?> fields)
    {
        line.Clear();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            var field = fields[i] ?? string.Empty;
            if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
            {
                line.Append(field);
            }
            else
            {
                line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
        }

        return line.Append("\r\n");
    }
}
