using FluentValidation;
using KC.Application.Common.Behaviours;
using KC.Application.Common.Exceptions;
using KC.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Infrastructure;

/// <summary>The one place exceptions become responses, so controllers never catch.</summary>
internal sealed partial class ExceptionToProblemDetails(
    IProblemDetailsService problemDetails,
    ILogger<ExceptionToProblemDetails> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ValidationException validation => FromValidation(validation),
            NotFoundException notFound => WithError(
                new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found.", Detail = notFound.Message },
                notFound.Message),
            ConflictException conflict => WithError(
                new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict.", Detail = conflict.Message },
                conflict.Message),
            IdempotencyKeyMismatchException mismatch => WithError(
                new ProblemDetails { Status = StatusCodes.Status422UnprocessableEntity, Title = "Idempotency key reused.", Detail = mismatch.Message },
                mismatch.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ErrorBodies.BadRequest(
                $"body: exceeds the request body size limit of {httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes (Api:MaxRequestBodyBytes)"),
            BadHttpRequestException bad => WithError(
                new ProblemDetails { Status = bad.StatusCode, Title = "Bad request.", Detail = bad.Message },
                $"request: {bad.Message}"),
            DomainRuleException rule => ErrorBodies.BadRequest(rule.Message),
            _ => null,
        };

        if (problem is null)
        {
            // A request that went through the mediator has had its exception logged already.
            if (!RequestOutcome.WasLogged(exception))
            {
                LogUnhandled(exception, httpContext.Request.Path);
            }

            problem = WithError(
                new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." },
                "An unexpected error occurred; it has been logged.");
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails FromValidation(ValidationException exception)
    {
        var failures = exception.Errors.ToList();
        var errors = failures
            .GroupBy(f => f.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
        var first = failures.FirstOrDefault();
        return ErrorBodies.BadRequest(first is null ? "The request is invalid." : $"{first.PropertyName}: {first.ErrorMessage}", errors);
    }

    private static ProblemDetails WithError(ProblemDetails problem, string error)
    {
        problem.Extensions[ErrorBodies.ErrorMember] = error;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Path}")]
    private partial void LogUnhandled(Exception exception, string path);
}
