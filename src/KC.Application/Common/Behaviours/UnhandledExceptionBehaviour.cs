using FluentValidation;
using KC.Application.Common.Exceptions;
using Mediator;
using Microsoft.Extensions.Logging;

namespace KC.Application.Common.Behaviours;

/// <summary>Logs exceptions that are not an expected answer (validation, not found) with the request that caused them.</summary>
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
        catch (Exception ex) when (ex is not (ValidationException or NotFoundException or ConflictException or OperationCanceledException))
        {
            LogUnhandled(ex, typeof(TMessage).Name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Request}")]
    private partial void LogUnhandled(Exception exception, string request);
}
