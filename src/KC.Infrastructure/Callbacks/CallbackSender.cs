using System.Net.Http.Headers;
using KC.Infrastructure.Imaging;

namespace KC.Infrastructure.Callbacks;

/// <summary>What one POST of a callback came to.</summary>
/// <param name="Permanent">No retry can succeed: the network guard refused the address.</param>
internal readonly record struct CallbackSendResult(bool Delivered, int? StatusCode, string? Error, bool Permanent = false);

/// <summary>
/// POSTs a callback body through the named client <see cref="ClientName"/>, whose connections pass
/// the same <see cref="NetworkGuard"/> as image downloads. Redirects are not followed: a 3xx is a
/// failed attempt. Retries are the dispatcher's, from the database, not this client's.
/// </summary>
internal sealed class CallbackSender(IHttpClientFactory clients, CallbackOptions options)
{
    public const string ClientName = "callbacks";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<CallbackSendResult> SendAsync(string url, byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, UriKind.Absolute))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };

        try
        {
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new CallbackSendResult(true, code, null)
                : new CallbackSendResult(false, code, $"HTTP {code}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is NetworkGuardException refused)
        {
            return new CallbackSendResult(false, null, refused.Message, Permanent: true);
        }
        catch (HttpRequestException ex)
        {
            return new CallbackSendResult(false, null, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CallbackSendResult(false, null, $"timed out after {options.TimeoutSeconds} s");
        }
    }
}
