using System.Buffers;
using System.Text.Json;

namespace KC.Bench;

/// <summary>Submit bodies, serialised before any clock starts so the client's JSON work is never measured.</summary>
internal static class JobPayload
{
    /// <summary>Images per visit: a store visit of a field worker yields dozens of shelf photos.</summary>
    public const int ImagesPerVisit = 50;

    private static readonly DateTimeOffset FirstVisit = new(2025, 3, 11, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A job of <paramref name="imageCount"/> images in visits of <see cref="ImagesPerVisit"/>, the
    /// visits spread round-robin over <paramref name="storeIds"/>.
    /// </summary>
    public static byte[] Build(ImageCatalog images, IReadOnlyList<string> storeIds, int imageCount)
    {
        var visits = (imageCount + ImagesPerVisit - 1) / ImagesPerVisit;
        var buffer = new ArrayBufferWriter<byte>(imageCount * 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("count", visits);
            json.WriteStartArray("visits");
            for (var visit = 0; visit < visits; visit++)
            {
                json.WriteStartObject();
                json.WriteString("store_id", storeIds[visit % storeIds.Count]);
                json.WriteStartArray("image_url");
                var last = Math.Min(imageCount, (visit + 1) * ImagesPerVisit);
                for (var image = visit * ImagesPerVisit; image < last; image++)
                {
                    json.WriteStringValue(images.Url(image));
                }

                json.WriteEndArray();
                json.WriteString("visit_time", FirstVisit.AddMinutes(visit).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
