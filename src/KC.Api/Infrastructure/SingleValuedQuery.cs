using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace KC.Api.Infrastructure;

/// <summary>
/// An API query parameter given twice (<c>?jobid=1&amp;jobid=2</c>) is a 400 naming it: model binding
/// would quietly take the first, and the client would read the answer for a job it did not mean.
/// </summary>
internal sealed class SingleValuedQuery : IResourceFilter
{
    public void OnResourceExecuting(ResourceExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.ActionDescriptor.EndpointMetadata.OfType<ApiControllerAttribute>().Any())
        {
            return;
        }

        foreach (var (name, values) in context.HttpContext.Request.Query)
        {
            if (values.Count > 1)
            {
                context.Result = new BadRequestObjectResult(ErrorBodies.BadRequest(
                    $"{name}: is given {values.Count} times; give it once",
                    new Dictionary<string, string[]> { [name] = [$"is given {values.Count} times; give it once"] }));
                return;
            }
        }
    }

    public void OnResourceExecuted(ResourceExecutedContext context)
    {
    }
}
