using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace KC.Api.Infrastructure;

/// <summary>The <c>Api:Keys</c> setting: keys that may call write endpoints. Empty (the default) turns the check off.</summary>
public sealed class ApiKeyOptions
{
    public const string HeaderName = "X-Api-Key";

    public IReadOnlyList<string> Keys { get; set; } = [];
}

/// <summary>Marks an endpoint that changes state: when API keys are configured it needs one in <c>X-Api-Key</c>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class RequireApiKeyAttribute() : TypeFilterAttribute(typeof(ApiKeyFilter));

/// <summary>Who sent a request, as far as its API key says.</summary>
public static class ApiClient
{
    private static readonly object ScopeItem = new();

    /// <summary>
    /// The scope of the caller's <c>Idempotency-Key</c>s: the lower-case hex SHA-256 of the API key
    /// the request was let in with, so one client's keys never name another's jobs and the key
    /// itself is never stored. Null when API keys are off: every client shares one scope.
    /// </summary>
    public static string? IdempotencyScopeOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ScopeItem, out var scope) ? (string?)scope : null;
    }

    /// <summary>The stored form of an API key's scope.</summary>
    public static string ScopeOf(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    internal static void Identify(HttpContext context, string apiKey) => context.Items[ScopeItem] = ScopeOf(apiKey);
}

internal sealed class ApiKeyFilter(IOptions<ApiKeyOptions> options) : IAuthorizationFilter
{
    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var keys = options.Value.Keys;
        if (keys.Count == 0)
        {
            return;
        }

        var presented = context.HttpContext.Request.Headers[ApiKeyOptions.HeaderName].ToString();
        if (presented.Length > 0 && keys.Any(key => FixedTimeEquals(key, presented)))
        {
            ApiClient.Identify(context.HttpContext, presented);
            return;
        }

        var error = presented.Length == 0
            ? $"{ApiKeyOptions.HeaderName}: an API key is required for this endpoint"
            : $"{ApiKeyOptions.HeaderName}: the API key is not valid";
        var problem = new ProblemDetails { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized.", Detail = error };
        problem.Extensions[ErrorBodies.ErrorMember] = error;
        context.Result = new ObjectResult(problem) { StatusCode = StatusCodes.Status401Unauthorized, ContentTypes = { "application/problem+json" } };
    }

    // Compares hashes, so neither the length nor the content of a key leaks through timing.
    private static bool FixedTimeEquals(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)),
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
