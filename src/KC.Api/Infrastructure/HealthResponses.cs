using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KC.Api.Infrastructure;

/// <summary>Health answers as JSON: the overall status and each check's status and description.</summary>
internal static class HealthResponses
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new
        {
            Status = report.Status.ToString().ToLowerInvariant(),
            Checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { Status = e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description }),
        };
        return context.Response.WriteAsJsonAsync(body, Json);
    }
}
