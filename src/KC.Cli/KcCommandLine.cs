using System.CommandLine;
using System.Globalization;
using System.CommandLine.Invocation;
using System.Text.Json;
using KC.Cli.Commands;
using KC.Client;

namespace KC.Cli;

/// <summary>What a command needs: the client pointed at the service, the terminal, the service's address for messages.</summary>
internal sealed record CommandContext(KcClient Client, Terminal Terminal, Uri ServiceUrl);

/// <summary>
/// The <c>kc</c> command tree, its global options (<c>--url</c>, <c>--api-key</c>, defaulting to
/// <c>KC_URL</c> and <c>KC_API_KEY</c>), and the one place errors become messages and exit codes.
/// </summary>
internal sealed class KcCommandLine
{
    public const string UrlVariable = "KC_URL";
    public const string ApiKeyVariable = "KC_API_KEY";
    private const string DefaultUrl = "http://localhost:8080";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private readonly Terminal _terminal;
    private readonly Option<Uri> _url;
    private readonly Option<string> _apiKey;

    private KcCommandLine(Terminal terminal)
    {
        _terminal = terminal;
        _url = new Option<Uri>("--url")
        {
            Description = $"The KC service's root (default: ${UrlVariable}, else {DefaultUrl})",
            HelpName = "URL",
            Recursive = true,
            CustomParser = result => ParseUrl(result, result.Tokens[0].Value, "--url"),
            DefaultValueFactory = result => ParseUrl(result, Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : DefaultUrl, UrlVariable),
        };
        _apiKey = new Option<string>("--api-key")
        {
            Description = $"The API key sent as X-Api-Key, which submit, cancel and stores import need when the service has keys (default: ${ApiKeyVariable})",
            HelpName = "KEY",
            Recursive = true,
        };
        Root = new RootCommand("kc: submit image-processing jobs to KC, follow them and read their results.")
        {
            _url,
            _apiKey,
            SubmitCommand.Create(this),
            StatusCommand.Create(this),
            ResultsCommand.Create(this),
            JobsCommand.Create(this),
            CancelCommand.Create(this),
            StoresCommand.Create(this),
        };
    }

    public RootCommand Root { get; }

    public static async Task<int> RunAsync(string[] args, Terminal terminal)
    {
        var commandLine = new KcCommandLine(terminal);
        var parsed = commandLine.Root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
            {
                terminal.Fail(error.Message);
            }

            terminal.Fail("Run 'kc --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>A job id argument: a positive integer.</summary>
    public static Argument<long> JobIdArgument()
    {
        return new Argument<long>("ID")
        {
            Description = "The job's id",
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
                {
                    return id;
                }

                result.AddError($"ID: '{text}' is not a job id, a positive integer");
                return 0;
            },
        };
    }

    /// <summary>Runs <paramref name="command"/> with a client for the service the options name; every failure becomes its message and exit code.</summary>
    public void SetAction(Command command, Func<CommandContext, ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var url = parsed.GetValue(_url)!;
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout }) { Timeout = RequestTimeout };
            new KcClientOptions { BaseAddress = url, ApiKey = parsed.GetValue(_apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable) }.ApplyTo(http);
            try
            {
                return await action(new CommandContext(new KcClient(http), _terminal, url), parsed, cancellationToken);
            }
            catch (UsageException e)
            {
                _terminal.Fail(e.Message);
                return ExitCodes.Usage;
            }
            catch (KcApiException e)
            {
                _terminal.Fail(e.Message);
                return ExitCodes.Failed;
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                _terminal.Fail($"Cannot reach the KC service at {url}: {e.Message}");
                return ExitCodes.Unreachable;
            }
            catch (HttpIOException e)
            {
                _terminal.Fail($"The connection to the KC service at {url} broke: {e.Message}");
                return ExitCodes.Unreachable;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _terminal.Fail($"The KC service at {url} did not answer within {RequestTimeout.TotalSeconds:0} s.");
                return ExitCodes.Unreachable;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _terminal.Fail("Interrupted.");
                return ExitCodes.Interrupted;
            }
            catch (JsonException e)
            {
                _terminal.Fail($"The KC service at {url} gave an answer kc cannot read: {e.Message}");
                return ExitCodes.Failed;
            }
        });
    }

    private static Uri ParseUrl(System.CommandLine.Parsing.ArgumentResult result, string text, string source)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.Host.Length > 0)
        {
            return url;
        }

        result.AddError($"{source}: '{text}' is not an absolute http or https URL, such as {DefaultUrl}");
        return new Uri(DefaultUrl);
    }
}
