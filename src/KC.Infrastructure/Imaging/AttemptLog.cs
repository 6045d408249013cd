using System.Diagnostics;
using System.Globalization;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Counts the HTTP attempts of one download and keeps the last one's error. It rides on each
/// request's options; <see cref="AttemptCountingHandler"/>, inside the retry handler, fills it in.
/// It also knows when the whole download must be over, so the retry handler never waits for a
/// <c>Retry-After</c> that the download could not outlive.
/// </summary>
internal sealed class AttemptLog(TimeSpan budget)
{
    public static readonly HttpRequestOptionsKey<AttemptLog> Key = new("KC.AttemptLog");

    private readonly long _started = Stopwatch.GetTimestamp();
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>What is left of the whole download's time.</summary>
    public TimeSpan TimeLeft => budget - Stopwatch.GetElapsedTime(_started);

    public string? LastError { get; private set; }

    public void Started() => Interlocked.Increment(ref _attempts);

    public void Failed(string error) => LastError = error;
}

/// <summary>Sits inside the resilience handler, so it sees every attempt, retries included.</summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.TryGetValue(AttemptLog.Key, out var log);
        log?.Started();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode >= 400)
            {
                log?.Failed(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"));
            }

            return response;
        }
        catch (Exception ex) when (log is not null)
        {
            log.Failed(ex.InnerException?.Message ?? ex.Message);
            throw;
        }
    }
}
