using System.Text;
using System.Text.Json;
using FluentValidation;
using KC.Api.Contracts;
using KC.Api.Dashboard.Models;
using KC.Api.Infrastructure;
using KC.Application.Monitoring.GetActivity;
using KC.Application.Monitoring.GetQueueStatistics;
using KC.Application.Nodes.Queries.ListNodes;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace KC.Api.Dashboard;

/// <summary>The overview, the nodes, the submit page and signing in: pages that send the API's own queries and commands.</summary>
[Route("dashboard")]
public sealed class DashboardController(ISender sender, DashboardSession session) : DashboardPage
{
    [HttpGet("")]
    public async Task<IActionResult> Overview(CancellationToken cancellationToken)
    {
        var activity = await sender.Send(new GetActivityQuery(), cancellationToken);
        var queue = await sender.Send(new GetQueueStatisticsQuery(), cancellationToken);
        var nodes = await sender.Send(new ListNodesQuery(), cancellationToken);
        return View(new OverviewPage(activity, queue, nodes));
    }

    /// <summary>The overview's queue numbers, refreshed every few seconds: one statement.</summary>
    [HttpGet("live/queue")]
    public async Task<IActionResult> LiveQueue(CancellationToken cancellationToken) =>
        PartialView("_Queue", await sender.Send(new GetQueueStatisticsQuery(), cancellationToken));

    /// <summary>The overview's jobs by status and its chart, refreshed less often.</summary>
    [HttpGet("live/activity")]
    public async Task<IActionResult> LiveActivity(CancellationToken cancellationToken) =>
        PartialView("_Activity", await sender.Send(new GetActivityQuery(), cancellationToken));

    [HttpGet("nodes")]
    public async Task<IActionResult> Nodes(CancellationToken cancellationToken) =>
        View(await sender.Send(new ListNodesQuery(), cancellationToken));

    [HttpGet("submit")]
    public IActionResult Submit() => View(new SubmitPage(string.Empty, []));

    /// <summary>
    /// Submits a pasted or uploaded job body through the API's own reading of it: the wire's JSON
    /// options, the binding sentences (<see cref="InvalidModelState"/>) and the submit validator, so
    /// the page shows exactly the errors the API would answer.
    /// </summary>
    [HttpPost("submit")]
    [DashboardAction]
    // The body's size is bounded by Api:MaxRequestBodyBytes, as a submit's is; the form's own per-value cap would refuse a big job first.
    [RequestFormLimits(ValueLengthLimit = int.MaxValue, MultipartBodyLengthLimit = long.MaxValue)]
    public async Task<IActionResult> Submit([FromForm(Name = "job")] string? json, IFormFile? file, [FromServices] IOptions<JsonOptions> wire, CancellationToken cancellationToken)
    {
        if (file is { Length: > 0 })
        {
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            json = await reader.ReadToEndAsync(cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(json))
        {
            return SubmitRefused(string.Empty, ["job: paste a job's JSON body, or choose a file that holds one"]);
        }

        SubmitJobRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<SubmitJobRequest>(json, wire.Value.JsonSerializerOptions);
        }
        catch (JsonException ex)
        {
            return SubmitRefused(json, [BindingSentence(ex)]);
        }

        if (request is null)
        {
            return SubmitRefused(json, ["body: must be a JSON object"]);
        }

        try
        {
            var result = await sender.Send(request.ToCommand(null, null), cancellationToken);
            Notify($"Job {result.JobId} submitted.");
            return RedirectToAction(nameof(JobPagesController.Show), "JobPages", new { jobId = result.JobId });
        }
        catch (ValidationException invalid)
        {
            // The page's own answer to a refused form, like the API's 400: every failing field named.
            return SubmitRefused(json, invalid.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}").Distinct().ToList());
        }
    }

    [HttpGet("login")]
    [DashboardSignIn]
    public IActionResult SignIn([FromQuery(Name = "return_url")] string? returnUrl) =>
        session.Required ? View(new SignInPage(LocalOrHome(returnUrl), null)) : Redirect(LocalOrHome(returnUrl));

    [HttpPost("login")]
    [DashboardSignIn]
    public async Task<IActionResult> SignIn([FromForm(Name = "api_key")] string? apiKey, [FromForm(Name = "return_url")] string? returnUrl)
    {
        if (session.ScopeOfValidKey(apiKey) is not { } scope)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return View(new SignInPage(LocalOrHome(returnUrl), string.IsNullOrEmpty(apiKey)
                ? "api_key: an API key is required"
                : "api_key: the API key is not one of Api:Keys"));
        }

        await session.SignInAsync(HttpContext, scope);
        return Redirect(LocalOrHome(returnUrl));
    }

    [HttpPost("logout")]
    public async Task<IActionResult> SignOut(CancellationToken cancellationToken)
    {
        await session.SignOutAsync(HttpContext);
        return Redirect("/dashboard/login");
    }

    private ViewResult SubmitRefused(string json, IReadOnlyList<string> errors)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("Submit", new SubmitPage(json, errors));
    }

    // Only a path of this site: a return_url naming another site would make the sign-in an open redirect.
    private string LocalOrHome(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/dashboard", StringComparison.Ordinal) ? returnUrl : "/dashboard";

    /// <summary>The API's sentence for a body its JSON reader refused, from the same code that words it for <c>POST /api/submit</c>.</summary>
    private static string BindingSentence(JsonException exception)
    {
        var context = new ActionContext(new DefaultHttpContext(), new RouteData(), new ActionDescriptor());
        context.ModelState.TryAddModelError(exception.Path ?? "$", exception.Message);
        var answer = (BadRequestObjectResult)InvalidModelState.Respond(context);
        return ((ProblemDetails)answer.Value!).Extensions[ErrorBodies.ErrorMember] as string ?? exception.Message;
    }
}
