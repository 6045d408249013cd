using KC.Application.Stores.Commands.ImportStores;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace KC.Api.Infrastructure;

/// <summary>
/// Finds an uploaded CSV in a request: the multipart/form-data field <c>file</c>, or a whole
/// text/csv body. The multipart body is read section by section, never buffered whole; the part
/// found is handed on as a stream. <see cref="Error"/> says why a request carries no usable upload
/// at all; <see cref="Content"/> is null, with no error, when it simply has no file.
/// </summary>
internal sealed record CsvUpload(Stream? Content, long? Length, string? Error)
{
    public const string FieldName = ImportStoresCommand.FieldName;

    private static readonly CsvUpload Missing = new(null, null, null);

    public static async Task<CsvUpload> OpenAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.ContentType) && !HasBody(request))
        {
            return Missing;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            return WrongType(request.ContentType);
        }

        if (mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return new CsvUpload(request.Body, request.ContentLength, null);
        }

        if (!mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return WrongType(mediaType.MediaType.Value);
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary);
        if (boundary.Length == 0)
        {
            return new CsvUpload(null, null, "Content-Type: multipart/form-data needs a boundary parameter");
        }

        return await FindFileAsync(new MultipartReader(boundary.Value!, request.Body), cancellationToken);
    }

    private static async Task<CsvUpload> FindFileAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            // Reading the next section skips the rest of the one before, so other fields cost no memory.
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    && HeaderUtilities.RemoveQuotes(disposition.Name).Equals(FieldName, StringComparison.Ordinal))
                {
                    return new CsvUpload(section.Body, null, null);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException || (ex is IOException && ex is not BadHttpRequestException))
        {
            return new CsvUpload(null, null, $"body: is not a readable multipart/form-data body ({ex.Message})");
        }

        return Missing;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0
        || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    private static CsvUpload WrongType(string? contentType) => new(
        null,
        null,
        $"Content-Type: must be multipart/form-data, with the CSV in the field {FieldName}, or text/csv; got {(string.IsNullOrEmpty(contentType) ? "none" : contentType)}");
}
