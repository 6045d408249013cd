using System.Buffers;
using System.Globalization;
using System.Net;
using KC.Application.Processing;
using Polly.Timeout;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Downloads an image through the named client, whose resilience handler retries transient
/// failures. Every way a download can fail ends as an <see cref="ImageFailureException"/> whose
/// message is what the client sees for that image.
/// </summary>
internal sealed class HttpImageDownloader(IHttpClientFactory clients, ProcessingOptions options) : IImageDownloader
{
    public const string ClientName = "images";

    public async Task<byte[]> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var client = clients.CreateClient(ClientName);

        // The resilience pipeline bounds the attempts; this bounds the whole download, body included.
        var total = TimeSpan.FromSeconds(options.DownloadTimeoutSeconds * (options.MaxAttempts + 1));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(total);
        try
        {
            // The resilience handler retries what happens before the headers arrive; a body cut off
            // after them is a connection error too, so it is retried here with the same budget.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await DownloadOnceAsync(client, url, deadline.Token).ConfigureAwait(false);
                }
                catch (BodyInterruptedException) when (attempt < options.MaxAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1) * (0.5 + (Random.Shared.NextDouble() / 2))), deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (BodyInterruptedException ex)
        {
            throw new ImageFailureException(
                string.Create(CultureInfo.InvariantCulture, $"the connection closed before the whole body arrived, {options.MaxAttempts} attempts ({ex.InnerException?.Message})"),
                ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ImageFailureException(string.Create(
                CultureInfo.InvariantCulture,
                $"timed out after {total.TotalSeconds:0} s in all (Processing:DownloadTimeoutSeconds × attempts)"));
        }
        catch (TimeoutRejectedException)
        {
            throw new ImageFailureException(string.Create(
                CultureInfo.InvariantCulture,
                $"timed out after {options.DownloadTimeoutSeconds} s per attempt, {options.MaxAttempts} attempts (Processing:DownloadTimeoutSeconds)"));
        }
        catch (HttpRequestException ex) when (ex.InnerException is NetworkGuardException guard)
        {
            throw new ImageFailureException(guard.Message, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ImageFailureException(Describe(ex), ex);
        }
    }

    private async Task<byte[]> DownloadOnceAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            throw new ImageFailureException(string.Create(
                CultureInfo.InvariantCulture,
                $"HTTP {(int)response.StatusCode}: more than {options.MaxRedirects} redirects (Processing:MaxRedirects)"));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ImageFailureException(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"));
        }

        var declared = response.Content.Headers.ContentLength;
        if (declared > options.MaxImageBytes)
        {
            throw TooLarge(declared.Value);
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await ReadBoundedAsync(stream, declared, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new BodyInterruptedException(ex);
        }
    }

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => $"could not connect: {ex.Message}",
        HttpRequestError.SecureConnectionError => $"TLS failed: {ex.Message}",
        HttpRequestError.ResponseEnded => "the connection closed before the whole response arrived",
        _ when ex.StatusCode is HttpStatusCode status => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}"),
        _ => ex.Message,
    };

    private async Task<byte[]> ReadBoundedAsync(Stream stream, long? declared, CancellationToken cancellationToken)
    {
        var limit = options.MaxImageBytes;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? 64 * 1024, limit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > limit)
                {
                    // Stop reading at once: the rest of the body is never fetched.
                    throw TooLarge(null);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ImageFailureException TooLarge(long? size) => new(size is null
        ? string.Create(CultureInfo.InvariantCulture, $"the body exceeds the limit of {options.MaxImageBytes} bytes (Processing:MaxImageBytes)")
        : string.Create(CultureInfo.InvariantCulture, $"the body of {size} bytes exceeds the limit of {options.MaxImageBytes} bytes (Processing:MaxImageBytes)"));

    /// <summary>The response body stopped before its end: worth another attempt.</summary>
    private sealed class BodyInterruptedException(Exception inner) : Exception(inner.Message, inner);
}
