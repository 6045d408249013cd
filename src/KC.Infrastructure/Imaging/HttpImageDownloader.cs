using System.Globalization;
using System.Net;
using KC.Application.Common;
using KC.Application.Processing;
using KC.Domain.Jobs;
using Polly.Timeout;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Downloads an image through the named client, whose resilience handler retries transient
/// failures, and reads its size from the body as it streams in (<see cref="ImageBodyReader"/>).
/// Every way a download can fail ends as an <see cref="ImageFailureException"/> whose message is
/// what the client sees for that image.
/// </summary>
/// <remarks>
/// Redirects are followed here rather than by the handler, so each hop is its own request: a retry
/// repeats the hop that failed (never a request whose address the handler rewrote), every hop is
/// vetted by the network guard when it connects, and only http and https targets are followed.
/// </remarks>
internal sealed class HttpImageDownloader(IHttpClientFactory clients, ImagingOptions options) : IImageDownloader
{
    public const string ClientName = "images";

    private readonly ImageBodyReader _body = new(options);

    public async Task<DownloadedImage> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var client = clients.CreateClient(ClientName);

        // The resilience pipeline bounds the attempts; this bounds the whole download, body included.
        var total = options.DownloadBudget;
        var log = new AttemptLog(total);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(total);
        try
        {
            // The resilience handler retries what happens before the headers arrive; a body cut off
            // after them is a connection error too, so it is retried here within the same budget.
            var hop = new Hop(url);
            for (var bodyTry = 1; ; bodyTry++)
            {
                try
                {
                    var (size, bytes) = await FollowAsync(client, hop, log, deadline.Token).ConfigureAwait(false);
                    return new DownloadedImage(size, bytes, log.Attempts, log.LastError);
                }
                catch (BodyInterruptedException ex) when (bodyTry < options.MaxAttempts)
                {
                    log.Failed(ex.Message);
                    await Task.Delay(Backoff.Exponential(bodyTry, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)), deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (ImageFailureException ex)
        {
            throw new ImageFailureException(ex.Message, ex.Reason, Math.Max(1, log.Attempts), ex.InnerException);
        }
        catch (BodyInterruptedException ex)
        {
            throw Failure($"the connection closed before the whole body arrived, {log.Attempts} attempts ({ex.Message})", ImageFailureReason.Connection, log, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(
                string.Create(CultureInfo.InvariantCulture, $"timed out after {total.TotalSeconds:0} s in all (Processing:DownloadTimeoutSeconds × attempts)"),
                ImageFailureReason.Timeout,
                log,
                ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw Failure(
                string.Create(CultureInfo.InvariantCulture, $"timed out after {options.DownloadTimeoutSeconds} s per attempt, {log.Attempts} attempts (Processing:DownloadTimeoutSeconds)"),
                ImageFailureReason.Timeout,
                log,
                ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is NetworkGuardException guard)
        {
            throw Failure(guard.Message, ImageFailureReason.RefusedAddress, log, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Failure(Describe(ex), ex.StatusCode is { } status ? ReasonOf((int)status) : ImageFailureReason.Connection, log, ex);
        }
    }

    /// <summary>
    /// How long a response asks to be left alone (<c>Retry-After</c>, as seconds or a date), or null
    /// when it does not say.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };
    }

    private static ImageFailureException Failure(string message, ImageFailureReason reason, AttemptLog log, Exception inner) =>
        new(message, reason, Math.Max(1, log.Attempts), inner);

    /// <summary>The failure reason of a response that did not succeed.</summary>
    private static ImageFailureReason ReasonOf(int status) => status switch
    {
        >= 500 => ImageFailureReason.Http5xx,
        >= 400 => ImageFailureReason.Http4xx,
        _ => ImageFailureReason.Other,
    };

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => $"could not connect: {ex.Message}",
        HttpRequestError.SecureConnectionError => $"TLS failed: {ex.Message}",
        HttpRequestError.ResponseEnded => "the connection closed before the whole response arrived",
        _ when ex.StatusCode is HttpStatusCode status => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}"),
        _ => ex.Message,
    };

    /// <summary>The error of a response that failed: its status, and the wait it asked for when that is why it was not retried.</summary>
    private static string Describe(HttpResponseMessage response, AttemptLog log)
    {
        var status = (int)response.StatusCode;
        return RetryAfter(response) is { } wait && wait > log.TimeLeft
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"HTTP {status}: the host asks to retry after {Math.Ceiling(wait.TotalSeconds):0} s (Retry-After), longer than the {Math.Max(0, Math.Floor(log.TimeLeft.TotalSeconds)):0} s this download has left")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {status}");
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private async Task<(ImageSize Size, long Bytes)> FollowAsync(HttpClient client, Hop hop, AttemptLog log, CancellationToken cancellationToken)
    {
        for (; ; hop.Followed++)
        {
            var current = hop.Current;
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Options.Set(AttemptLog.Key, log);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;

            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (hop.Followed >= options.MaxRedirects)
                {
                    throw new ImageFailureException(
                        string.Create(CultureInfo.InvariantCulture, $"HTTP {status}: more than {options.MaxRedirects} redirects (Processing:MaxRedirects)"),
                        ImageFailureReason.Other);
                }

                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                {
                    throw new ImageFailureException($"HTTP {status}: redirect to '{next.Scheme}:', which is not http or https", ImageFailureReason.Other);
                }

                hop.Current = next;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ImageFailureException(Describe(response, log), ReasonOf(status));
            }

            return await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(ImageSize Size, long Bytes)> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > options.MaxImageBytes)
        {
            throw ImageBodyReader.TooLarge(options.MaxImageBytes, declared);
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await _body.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new BodyInterruptedException(ex);
        }
    }

    /// <summary>The response body stopped before its end: worth another attempt.</summary>
    private sealed class BodyInterruptedException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>Where a download has got to: a body retry starts again from the last hop, not the first.</summary>
    private sealed class Hop(Uri url)
    {
        public Uri Current { get; set; } = url;

        public int Followed { get; set; }
    }
}
