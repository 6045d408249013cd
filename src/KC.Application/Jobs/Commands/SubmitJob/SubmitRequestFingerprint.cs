using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using KC.Domain.Jobs;

namespace KC.Application.Jobs.Commands.SubmitJob;

/// <summary>
/// What an <c>Idempotency-Key</c> is bound to: a SHA-256 of the submit in canonical form, the values
/// the job is built from (trimmed ids and URLs, visit times as UTC instants, the callback URL), so
/// two bodies that differ only in white space, member order or a time's offset count as the same.
/// </summary>
public static class SubmitRequestFingerprint
{
    /// <summary>The lower-case hex SHA-256 of the canonical form.</summary>
    public static string Compute(IReadOnlyList<NewVisit> visits, string? callbackUrl)
    {
        ArgumentNullException.ThrowIfNull(visits);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("visits");
            foreach (var visit in visits)
            {
                json.WriteStartObject();
                json.WriteString("store_id", visit.StoreId);
                json.WriteNumber("visit_time_utc_ticks", visit.VisitTime.UtcTicks);
                json.WriteStartArray("image_url");
                foreach (var url in visit.ImageUrls)
                {
                    json.WriteStringValue(url);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("callback_url", callbackUrl);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}
