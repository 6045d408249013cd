using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KC.Api.Hosting;

/// <summary>
/// <c>dotnet KC.Api.dll probe [url] [--timeout seconds]</c>: one GET of <c>url</c>
/// (<see cref="DefaultUrl"/> by default), exit status 0 when it answers <c>200</c> and 1 otherwise,
/// with one line saying what happened. It is the container's health check: the ASP.NET runtime
/// image has neither curl nor wget, and the service's own binary is there anyway. The host is not
/// built, no setting is read and nothing else starts.
/// </summary>
public static class HealthProbe
{
    /// <summary>The first argument that selects the probe instead of the service.</summary>
    public const string Command = "probe";

    /// <summary>Healthy: the URL answered <c>200</c>.</summary>
    public const int Healthy = 0;

    /// <summary>
    /// Anything else, a usage error included: a container engine reads exactly 0 and 1 (Docker keeps
    /// 2 reserved), and a probe that cannot be run as written must not pass for healthy.
    /// </summary>
    public const int Unhealthy = 1;

    /// <summary>The readiness endpoint on the port the container image listens on.</summary>
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:8080/health/ready");

    /// <summary>How long the probe waits for the answer, connecting included, unless <c>--timeout</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private const string TimeoutOption = "--timeout";

    /// <summary>Whether the command line asks for the probe rather than the service.</summary>
    public static bool IsRequested(string[] args) => args is [Command, ..];

    /// <summary>Runs the probe named by <paramref name="args"/> (which start with <see cref="Command"/>) and returns the exit status.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>As <see cref="RunAsync(string[])"/>, writing the line for a healthy answer to <paramref name="output"/> and any other to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args, out var request, out var problem))
        {
            await error.WriteLineAsync($"unhealthy: {problem}").ConfigureAwait(false);
            return Unhealthy;
        }

        var (healthy, line) = await GetAsync(request).ConfigureAwait(false);
        await (healthy ? output : error).WriteLineAsync(line).ConfigureAwait(false);
        return healthy ? Healthy : Unhealthy;
    }

    /// <summary>
    /// Reads <c>probe [url] [--timeout seconds]</c>: the URL must be an absolute <c>http</c> or
    /// <c>https</c> URL, the timeout a positive number of seconds (fractions allowed) of at most an hour.
    /// </summary>
    /// <returns>False with <paramref name="problem"/> naming the argument at fault.</returns>
    public static bool TryParse(
        string[] args,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HealthProbeRequest? request,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(args);
        request = null;
        if (!IsRequested(args))
        {
            problem = $"the first argument must be '{Command}'";
            return false;
        }

        Uri? url = null;
        var timeout = DefaultTimeout;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == TimeoutOption || arg.StartsWith(TimeoutOption + "=", StringComparison.Ordinal))
            {
                var value = arg == TimeoutOption ? (i + 1 < args.Length ? args[++i] : null) : arg[(TimeoutOption.Length + 1)..];
                if (!TryParseSeconds(value, out timeout))
                {
                    problem = $"{TimeoutOption} must be a positive number of seconds, at most 3600; got {Quote(value)}";
                    return false;
                }
            }
            else if (arg.StartsWith('-'))
            {
                problem = $"unknown option '{arg}'; usage: {Command} [url] [{TimeoutOption} seconds]";
                return false;
            }
            else if (url is not null)
            {
                problem = $"only one url may be given; got '{url}' and '{arg}'";
                return false;
            }
            else if (!Uri.TryCreate(arg, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                problem = $"url must be an absolute http or https URL such as {DefaultUrl}; got '{arg}'";
                return false;
            }
        }

        request = new HealthProbeRequest(url ?? DefaultUrl, timeout);
        problem = null;
        return true;
    }

    private static bool TryParseSeconds(string? value, out TimeSpan timeout)
    {
        var ok = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && seconds <= 3600;
        timeout = ok ? TimeSpan.FromSeconds(seconds) : DefaultTimeout;
        return ok;
    }

    private static string Quote(string? value) => value is null ? "nothing" : $"'{value}'";

    private static async Task<(bool Healthy, string Line)> GetAsync(HealthProbeRequest request)
    {
        // Local by design: no proxy from the environment, no redirect followed, nothing kept.
        using var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = new CancellationTokenSource(request.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.GetAsync(request.Url, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var answered = $"GET {request.Url} answered {status} in {clock.ElapsedMilliseconds} ms";
            return response.StatusCode == HttpStatusCode.OK ? (true, $"healthy: {answered}") : (false, $"unhealthy: {answered}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return (false, $"unhealthy: GET {request.Url} had no answer within {request.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
            return (false, $"unhealthy: GET {request.Url} failed: {OneLine(reason)}");
        }
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>What the probe asks: one GET of <paramref name="Url"/>, answered within <paramref name="Timeout"/>.</summary>
public sealed record HealthProbeRequest(Uri Url, TimeSpan Timeout);
