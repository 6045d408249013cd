using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// Keeps every log entry. The HTTP client factory's innermost logging handler sits between the
/// resilience handler and the socket handler, so its "request start" entries count the attempts
/// the retry strategy made, without any timing.
/// </summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, EventId EventId, string Message)> _entries = new();

    public IReadOnlyList<(string Category, EventId EventId, string Message)> Entries => [.. _entries];

    /// <summary>Requests the named client sent down to the socket handler: every attempt, retries and redirect hops included.</summary>
    public int Attempts(string clientName) => _entries.Count(e =>
        e.Category == $"System.Net.Http.HttpClient.{clientName}.ClientHandler" && e.EventId.Name == "RequestStart");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((category, eventId, formatter(state, exception)));
    }
}
