using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Logging;

namespace KC.Application.Common.Behaviours;

/// <summary>Logs each request's name and how long it took; slow ones as warnings.</summary>
public sealed partial class LoggingBehaviour<TMessage, TResponse>(ILogger<LoggingBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(500);

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        var response = await next(message, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed > Slow)
        {
            LogSlow(typeof(TMessage).Name, elapsed.TotalMilliseconds);
        }
        else
        {
            LogHandled(typeof(TMessage).Name, elapsed.TotalMilliseconds);
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Request} handled in {ElapsedMs:0.0} ms")]
    private partial void LogHandled(string request, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Request} was slow: {ElapsedMs:0.0} ms")]
    private partial void LogSlow(string request, double elapsedMs);
}
