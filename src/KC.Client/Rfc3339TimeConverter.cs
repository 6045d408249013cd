using System.Text.Json;
using System.Text.Json.Serialization;

namespace KC.Client;

/// <summary>
/// Reads a time only when it names an instant: an ISO 8601 timestamp with <c>Z</c> or an offset.
/// The default reader takes <c>2025-03-11T12:00:00</c> as local time, a guess the service refuses.
/// </summary>
internal sealed class Rfc3339TimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value) && HasOffset(reader.GetString()!))
        {
            return value;
        }

        throw new JsonException("is not an RFC 3339 timestamp with an offset (Z or ±hh:mm), such as 2025-03-11T12:00:00Z");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z')
        || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
}
