using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Domain.Common;
using Mediator;
using Microsoft.Extensions.Logging;

namespace KC.Application.Common.Behaviours;

/// <summary>
/// Logs what a request ended in, once, with the request that caused it: an answer the client
/// gets for its own mistake (invalid, not found, a conflict, a reused key, a broken domain rule)
/// at Information and without a stack trace, since it is not a failure of the service; anything
/// else at Error with its stack trace, marked so the exception handler does not log it again.
/// </summary>
public sealed partial class UnhandledExceptionBehaviour<TMessage, TResponse>(ILogger<UnhandledExceptionBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (RequestOutcome.IsClientError(ex))
        {
            LogRefused(typeof(TMessage).Name, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            LogUnhandled(ex, typeof(TMessage).Name);
            RequestOutcome.MarkLogged(ex);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Request} refused: {Reason}")]
    private partial void LogRefused(string request, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Request}")]
    private partial void LogUnhandled(Exception exception, string request);
}

/// <summary>How a request's exception is to be reported, shared by the pipeline and the exception handler.</summary>
public static class RequestOutcome
{
    private const string LoggedKey = "KC.Logged";

    /// <summary>True for the answers a client gets for its own request: never a failure of the service.</summary>
    public static bool IsClientError(Exception exception) =>
        exception is ValidationException or NotFoundException or ConflictException or IdempotencyKeyMismatchException or DomainRuleException;

    /// <summary>Notes that <paramref name="exception"/> has been logged with its stack trace, so it is not logged twice.</summary>
    public static void MarkLogged(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        exception.Data[LoggedKey] = true;
    }

    public static bool WasLogged(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Data[LoggedKey] is true;
    }
}
