using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace KC.Api.Dashboard;

/// <summary>Marks a dashboard action that changes state: hidden and refused when <c>Dashboard:ReadOnly</c> is set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DashboardActionAttribute : Attribute;

/// <summary>Marks the sign-in page itself, which a person reaches before having a session.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DashboardSignInAttribute : Attribute;

/// <summary>
/// Who may see and do what, before anything else runs (antiforgery included): no dashboard at all
/// when <c>Dashboard:Enabled</c> is false; with <c>Api:Keys</c> set, a session for every page but
/// the sign-in; with <c>Dashboard:ReadOnly</c>, no action.
/// </summary>
internal sealed class DashboardAccess(IOptions<DashboardOptions> options, DashboardSession session) : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.ActionDescriptor.EndpointMetadata;
        if (!options.Value.Enabled)
        {
            context.Result = new NotFoundResult();
            return;
        }

        if (!metadata.OfType<DashboardSignInAttribute>().Any() && !await session.IsSignedInAsync(context.HttpContext))
        {
            var request = context.HttpContext.Request;
            context.Result = HttpMethods.IsGet(request.Method) && !DashboardPage.IsLiveRefresh(request)
                ? new RedirectResult($"/dashboard/login?return_url={Uri.EscapeDataString(request.Path + request.QueryString)}")
                : DashboardPage.Problem(StatusCodes.Status401Unauthorized, "Sign in", "This dashboard needs an API key: sign in first.");
            return;
        }

        if (options.Value.ReadOnly && metadata.OfType<DashboardActionAttribute>().Any())
        {
            context.Result = DashboardPage.Problem(StatusCodes.Status403Forbidden, "Read-only", "This dashboard is read-only (Dashboard:ReadOnly): it shows everything and changes nothing.");
        }
    }
}
