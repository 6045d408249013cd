using System.Text.Json;
using System.Text.Json.Serialization;

namespace KC.Client;

/// <summary>
/// The JSON form KC reads and writes: snake_case member names, status words in lower case, times
/// as RFC 3339 timestamps. Every request and response of <see cref="KcClient"/> goes through
/// <see cref="Options"/>; use it too to read or write a submit body yourself.
/// </summary>
public static class KcJson
{
    /// <summary>
    /// The serializer options of the wire (read-only). Unknown response members are ignored, so a
    /// newer service's additions do not break this client; a member this client declares non-null
    /// that comes as null is an error.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false),
                new Rfc3339TimeConverter(),
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
