using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Infrastructure;

/// <summary>
/// Every error body is problem details with an <c>error</c> member: the one sentence existing
/// clients read, naming the field at fault.
/// </summary>
internal static class ErrorBodies
{
    public const string ErrorMember = "error";

    public static ProblemDetails BadRequest(string error, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new ProblemDetails()
            : new ValidationProblemDetails(errors);
        problem.Status = StatusCodes.Status400BadRequest;
        problem.Title = "The request is invalid.";
        problem.Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1";
        problem.Extensions[ErrorMember] = error;
        return problem;
    }
}
