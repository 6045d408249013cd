using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KC.TestSupport;

/// <summary>
/// The real service as a child process (<c>dotnet KC.Api.dll</c> from the caller's output folder, which
/// must reference KC.Api, or a published one), so a test or benchmark can kill it with
/// SIGKILL or stop it with SIGTERM exactly as an operator or the kernel would.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>
    /// Starts the service on a random loopback port over <paramref name="connectionString"/> and waits
    /// until it listens. The connection string alone does not say which database it is for, so
    /// <paramref name="settings"/> carries <c>Database:Provider</c> with the rest.
    /// </summary>
    /// <param name="workingDirectory">Where the process starts; the folder of the binaries by default.</param>
    /// <param name="ownLogging">Leave logging to the service's own settings files instead of the quiet test levels.</param>
    /// <param name="servicePath">The <c>KC.Api.dll</c> to run, such as a published one; the caller's output folder's by default.</param>
    public static async Task<ServiceProcess> StartAsync(
        string connectionString,
        IReadOnlyDictionary<string, string?> settings,
        TimeSpan? timeout = null,
        string? workingDirectory = null,
        bool ownLogging = false,
        string? servicePath = null)
    {
        var service = Launch(connectionString, settings, workingDirectory, ownLogging, servicePath);
        var process = service._process;
        process.Exited += (_, _) =>
        {
            // An exit after listening is the test's own doing (a kill, a stop), and the test owns the process.
            if (service._listening.Task.IsCompleted)
            {
                return;
            }

            // Once the output is read to its end, so the exception carries every line.
            _ = Task.Run(async () =>
            {
                await process.WaitForExitAsync();
                service._listening.TrySetException(new ServiceExitedException(process.ExitCode, service.Output));
            });
        };
        service.Begin();
        service.BaseAddress = await service._listening.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return service;
    }

    /// <summary>Starts the service and waits for it to exit by itself, as one that cannot start does; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<ServiceExit> RunUntilExitAsync(string connectionString, IReadOnlyDictionary<string, string?> settings, TimeSpan? timeout = null)
    {
        await using var service = Launch(connectionString, settings, workingDirectory: null, ownLogging: false, servicePath: null);
        service.Begin();
        await service._process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));

        // The exit event can come before the last lines of output have been read.
        service._process.WaitForExit();
        return new ServiceExit(service._process.ExitCode, service.Output);
    }

    private static ServiceProcess Launch(string connectionString, IReadOnlyDictionary<string, string?> settings, string? workingDirectory, bool ownLogging, string? servicePath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var dll = servicePath ?? Path.Combine(AppContext.BaseDirectory, "KC.Api.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(Path.GetFullPath(dll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__KC"] = connectionString;
        if (!ownLogging)
        {
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
            start.Environment["Logging__LogLevel__KC"] = "Information";
            start.Environment["Logging__Console__FormatterName"] = "simple";
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Record(e.Data);
        process.ErrorDataReceived += (_, e) => service.Record(e.Data);
        return service;
    }

    private void Begin()
    {
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the graceful stop an orchestrator sends; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            await SignalAsync("TERM");
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGSTOP: the process stands still, as in a long pause or a frozen VM, until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT: a paused process runs on from where it stood.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Waits for the process to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (Listening().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }
}

/// <summary>How a service process ended: its exit status and every line it wrote.</summary>
public sealed record ServiceExit(int ExitCode, IReadOnlyList<string> Output);

/// <summary>The service exited before it listened: its exit code and everything it wrote.</summary>
public sealed class ServiceExitedException : InvalidOperationException
{
    public ServiceExitedException(int exitCode, IReadOnlyList<string> output)
        : base($"The service exited with code {exitCode} before listening:\n{string.Join('\n', output)}")
    {
        ExitCode = exitCode;
        Output = output;
    }

    public ServiceExitedException()
    {
        Output = [];
    }

    public ServiceExitedException(string message)
        : base(message)
    {
        Output = [];
    }

    public ServiceExitedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Output = [];
    }

    public int ExitCode { get; }

    public IReadOnlyList<string> Output { get; }
}
