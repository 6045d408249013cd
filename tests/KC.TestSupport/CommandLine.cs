using System.Diagnostics;

namespace KC.TestSupport;

/// <summary>Runs a program to its end and keeps what it printed, so a failure can say why.</summary>
internal static class CommandLine
{
    /// <summary>Runs <paramref name="program"/>; returns its exit code and its output and error text, interleaved as they came.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        var output = new List<string>();
        void Record(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Add(line);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync().ConfigureAwait(false);
        lock (output)
        {
            return (process.ExitCode, string.Join('\n', output));
        }
    }

    /// <summary>As <see cref="RunAsync"/>, but a non-zero exit code throws with the program's output.</summary>
    public static async Task<string> RunCheckedAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var (exitCode, output) = await RunAsync(program, arguments, workingDirectory).ConfigureAwait(false);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with code {exitCode}:\n{output}");
    }
}
