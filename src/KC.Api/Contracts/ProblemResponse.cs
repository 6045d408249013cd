using System.Text.Json.Serialization;

namespace KC.Api.Contracts;

/// <summary>
/// Every error body but the status endpoint's <c>400 {}</c>: RFC 9457 problem details with the
/// contract's <c>error</c> sentence, which names the field at fault, and for an invalid request the
/// failures by field under <c>errors</c>. The framework writes it from <c>ProblemDetails</c>; this
/// record is its shape for the API's description.
/// </summary>
public sealed record ProblemResponse(
    [property: JsonRequired] string Error,
    string? Type = null,
    string? Title = null,
    int? Status = null,
    string? Detail = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Errors = null,
    string? TraceId = null)
{
    /// <summary>The media type problem details are sent as.</summary>
    public const string ContentType = "application/problem+json";
}
