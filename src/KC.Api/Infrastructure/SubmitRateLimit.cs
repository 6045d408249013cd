using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace KC.Api.Infrastructure;

/// <summary>The <c>Api:SubmitRateLimit</c> section: submits per client per window; 0 permits turns the limit off.</summary>
public sealed class SubmitRateLimitOptions
{
    public const string PolicyName = "submit";

    public int PermitsPerWindow { get; set; } = 600;

    public int WindowSeconds { get; set; } = 60;
}

internal static class SubmitRateLimit
{
    /// <summary>
    /// A fixed window per client address. (Not per API key: an unchecked header would let a client
    /// pick a fresh partition per request.) A refused submit is a 429 with <c>Retry-After</c> and the
    /// contract's error body.
    /// </summary>
    public static IServiceCollection AddSubmitRateLimit(this IServiceCollection services, SubmitRateLimitOptions limit)
    {
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(SubmitRateLimitOptions.PolicyName, context => limit.PermitsPerWindow <= 0
                ? RateLimitPartition.GetNoLimiter("unlimited")
                : RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit.PermitsPerWindow,
                        Window = TimeSpan.FromSeconds(Math.Max(1, limit.WindowSeconds)),
                        QueueLimit = 0,
                    }));

            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? (int)Math.Ceiling(wait.TotalSeconds)
                    : Math.Max(1, limit.WindowSeconds);
                var error = string.Create(
                    CultureInfo.InvariantCulture,
                    $"too many submits: at most {limit.PermitsPerWindow} per {limit.WindowSeconds} s per client (Api:SubmitRateLimit); retry after {retryAfter} s");
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var problem = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests.", Detail = error };
                problem.Extensions[ErrorBodies.ErrorMember] = error;
                await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
            };
        });
        return services;
    }
}
