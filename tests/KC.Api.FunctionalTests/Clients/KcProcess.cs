using System.Diagnostics;

namespace KC.Api.FunctionalTests.Clients;

/// <summary>What one run of <c>kc</c> printed and exited with.</summary>
internal sealed record KcRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs <c>kc</c> as a user's shell would, as a child process (<c>dotnet kc.dll</c> from this test
/// assembly's output folder), with standard output and error redirected, so it is not a terminal.
/// </summary>
internal static class KcProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <param name="environment">Variables to set; a null value removes one. <c>KC_URL</c> and <c>KC_API_KEY</c> are never inherited.</param>
    /// <param name="arguments">The command line after <c>kc</c>.</param>
    public static Task<KcRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        RunUntilStoppedAsync(environment, stopWhenPrinted: null, arguments);

    /// <summary>
    /// Runs <c>kc</c> and, once its standard output has a line containing <paramref name="stopWhenPrinted"/>,
    /// sends it SIGTERM, as a user's Ctrl+C or a CI job's timeout does.
    /// </summary>
    public static async Task<KcRun> RunUntilStoppedAsync(IReadOnlyDictionary<string, string?> environment, string? stopWhenPrinted, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kc.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("KC_URL");
        start.Environment.Remove("KC_API_KEY");
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = ReadAsync(process, stopWhenPrinted);
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kc {string.Join(' ', arguments)} did not exit within {Timeout.TotalSeconds} s.");
        }

        return new KcRun(process.ExitCode, (await output).ReplaceLineEndings("\n"), (await error).ReplaceLineEndings("\n"));
    }

    private static async Task<string> ReadAsync(Process process, string? stopWhenPrinted)
    {
        var text = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            text.Append(line).Append('\n');
            if (stopWhenPrinted is not null && line.Contains(stopWhenPrinted, StringComparison.Ordinal))
            {
                stopWhenPrinted = null;
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }
        }

        return text.ToString();
    }
}
