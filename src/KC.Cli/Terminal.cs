using System.Globalization;
using KC.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KC.Cli;

/// <summary>
/// Where <c>kc</c> writes: results to standard output, errors to standard error. Output that is
/// not a terminal (a file, a pipe) gets no colours, no escape codes and no live display.
/// </summary>
internal sealed class Terminal(IAnsiConsole output, IAnsiConsole error, TextWriter rawOutput)
{
    // Redirected output has no window to fit; wide enough that a table of URLs is not folded.
    private const int RedirectedWidth = 240;

    public IAnsiConsole Output { get; } = output;

    public IAnsiConsole Error { get; } = error;

    /// <summary>Standard output as bytes' writer, for data written as it is (a CSV to <c>-</c>).</summary>
    public TextWriter RawOutput { get; } = rawOutput;

    public static Terminal Create() =>
        new(Console(System.Console.Out, System.Console.IsOutputRedirected), Console(System.Console.Error, System.Console.IsErrorRedirected), System.Console.Out);

    private static IAnsiConsole Console(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    public void Line(string text) => Output.WriteLine(text);

    public void Fail(string text) => Error.WriteLine(text);

    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        return table;
    }

    /// <summary>A row of plain text: what the service or the user wrote is never read as markup.</summary>
    public static void Row(Table table, params string?[] cells) =>
        table.AddRow([.. cells.Select(c => (IRenderable)new Text(c ?? string.Empty))]);

    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty;

    public static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    public static string Word<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>A job's state and counts in one sentence: <c>Job 1 completed: 3 succeeded, 0 failed, 0 cancelled of 3 images.</c></summary>
    public static string Summary(long jobId, JobState state, JobProgress progress)
    {
        var pending = progress.Pending > 0 ? $", {progress.Pending} pending" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Job {jobId} {Word(state)}: {progress.Succeeded} succeeded, {progress.Failed} failed, {progress.Cancelled} cancelled{pending} of {progress.Total} {Images(progress.Total)}.");
    }

    public static string Images(int count) => count == 1 ? "image" : "images";

    /// <summary>The failing stores of a failed job, one row each.</summary>
    public void StoreErrors(IReadOnlyList<StoreError> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        var table = Table("Store", "Error");
        foreach (var error in errors)
        {
            Row(table, error.StoreId, error.Error);
        }

        Output.Write(table);
    }
}
