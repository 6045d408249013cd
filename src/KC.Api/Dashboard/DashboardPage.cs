using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Api.Dashboard.Models;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace KC.Api.Dashboard;

/// <summary>
/// What every dashboard page shares: kept out of the OpenAPI document, behind <see cref="DashboardAccess"/>,
/// antiforgery on every form, never cached, refusals shown as pages (<see cref="DashboardErrors"/>).
/// </summary>
[ApiExplorerSettings(IgnoreApi = true)]
[TypeFilter(typeof(DashboardAccess))]
[TypeFilter(typeof(DashboardErrors))]
[AutoValidateAntiforgeryToken]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public abstract class DashboardPage : Controller
{
    /// <summary>The header the page's own script sends when it refreshes a part of the page.</summary>
    public const string LiveHeader = "X-KC-Live";

    /// <summary>Set on a refresh whose subject has settled, so the script stops (and reloads, where the page asks it to).</summary>
    public const string FinalHeader = "X-KC-Final";

    public static bool IsLiveRefresh(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.ContainsKey(LiveHeader);
    }

    /// <summary>A page that says why nothing was shown or done, with the status code that says it to a machine.</summary>
    public static ViewResult Problem(int statusCode, string title, string message, IReadOnlyList<string>? details = null) => new()
    {
        ViewName = "Problem",
        StatusCode = statusCode,
        ViewData = new ViewDataDictionary(new EmptyModelMetadataProvider(), new ModelStateDictionary())
        {
            Model = new ProblemPage(title, message, details ?? []),
        },
    };

    /// <summary>One sentence for the next page to show, after a redirect.</summary>
    protected void Notify(string notice) => TempData["notice"] = notice;
}

/// <summary>
/// Turns what the mediator refuses into a page: a bad filter or form (400, every field named), an
/// unknown job or store (404), an action the job's state does not allow (409). A binding failure
/// (a job id that is not a number) is a 400 before the action runs.
/// </summary>
internal sealed class DashboardErrors : IExceptionFilter, IActionFilter
{
    public void OnException(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Result = context.Exception switch
        {
            ValidationException invalid => DashboardPage.Problem(
                StatusCodes.Status400BadRequest,
                "Not understood",
                "Some of what was asked for is not valid.",
                invalid.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}").Distinct().ToList()),
            NotFoundException notFound => DashboardPage.Problem(StatusCodes.Status404NotFound, "Not found", notFound.Message),
            ConflictException conflict => DashboardPage.Problem(StatusCodes.Status409Conflict, "Not done", conflict.Message),
            _ => null,
        };
        context.ExceptionHandled = context.Result is not null;
    }

    public void OnActionExecuting(ActionExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ModelState.IsValid)
        {
            return;
        }

        var fields = context.ModelState
            .Where(e => e.Value?.Errors.Count > 0)
            .Select(e => $"{e.Key}: {(e.Value!.Errors[0].ErrorMessage is { Length: > 0 } message ? message : "is not a valid value")}")
            .ToList();
        context.Result = DashboardPage.Problem(StatusCodes.Status400BadRequest, "Not understood", "Some of what was asked for is not valid.", fields);
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }
}
