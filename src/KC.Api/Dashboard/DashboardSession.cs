using System.Security.Claims;
using KC.Api.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace KC.Api.Dashboard;

/// <summary>
/// The dashboard's sign-in: when <c>Api:Keys</c> is set, a person gives one key once and holds a
/// cookie session (HttpOnly, SameSite=Strict, only for <c>/dashboard</c>) instead of sending the key
/// with every request. The cookie carries the key's SHA-256 (the same scope the API gives a key),
/// never the key, and stops working when that key is taken out of <c>Api:Keys</c>.
/// </summary>
public sealed class DashboardSession(IOptions<ApiKeyOptions> keys)
{
    public const string Scheme = "KC.Dashboard";
    public const string CookieName = "kc_dashboard";
    private const string ScopeClaim = "kc:scope";

    /// <summary>Whether the pages need a signed-in person: API keys are configured.</summary>
    public bool Required => keys.Value.Keys.Count > 0;

    /// <summary>The scope of a valid key (as <see cref="ApiClient.ScopeOf"/> has it); null for a key that is not one of <c>Api:Keys</c>.</summary>
    public string? ScopeOfValidKey(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var scope = ApiClient.ScopeOf(presented);
        return ValidScopes().Any(valid => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(valid), System.Text.Encoding.ASCII.GetBytes(scope))) ? scope : null;
    }

    public Task SignInAsync(HttpContext context, string scope)
    {
        var identity = new ClaimsIdentity([new Claim(ScopeClaim, scope)], Scheme);
        return context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
    }

    public Task SignOutAsync(HttpContext context) => context.SignOutAsync(Scheme);

    /// <summary>True when no key is needed, or the request's session names a key that is still configured.</summary>
    public async Task<bool> IsSignedInAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Required)
        {
            return true;
        }

        var result = await context.AuthenticateAsync(Scheme);
        var scope = result.Succeeded ? result.Principal.FindFirstValue(ScopeClaim) : null;
        return scope is not null && ValidScopes().Contains(scope, StringComparer.Ordinal);
    }

    private IEnumerable<string> ValidScopes() => keys.Value.Keys.Select(ApiClient.ScopeOf);

    internal static void Configure(CookieAuthenticationOptions cookie)
    {
        cookie.Cookie.Name = CookieName;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.Cookie.Path = "/dashboard";
        cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
        cookie.SlidingExpiration = true;

        // The dashboard's own filter decides where an unsigned request goes; the handler never redirects by itself.
        cookie.Events.OnRedirectToLogin = context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
    }
}
