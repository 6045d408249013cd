using System.CommandLine;
using System.Globalization;
using KC.Client;
using Spectre.Console;

namespace KC.Cli.Commands;

/// <summary><c>kc results ID [--csv FILE]</c>: every image's result as a table, or the results CSV saved (<c>-</c> for standard output).</summary>
internal static class ResultsCommand
{
    public static Command Create(KcCommandLine commandLine)
    {
        var id = KcCommandLine.JobIdArgument();
        var csv = new Option<string>("--csv") { Description = "Save the results as CSV to FILE instead (- for standard output)", HelpName = "FILE" };
        var command = new Command("results", "Show every image's result of a job") { id, csv };
        commandLine.SetAction(command, async (context, parsed, cancellationToken) =>
        {
            var jobId = parsed.GetValue(id);
            if (parsed.GetValue(csv) is { Length: > 0 } target)
            {
                await SaveCsvAsync(context, jobId, target, cancellationToken);
                return ExitCodes.Ok;
            }

            var job = await context.Client.GetJobAsync(jobId, cancellationToken);
            context.Terminal.Output.Write(Table(job));
            context.Terminal.Line(Terminal.Summary(job.JobId, job.Status, job.Progress));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// One row per image, narrow enough for a terminal: the store's name, the visit time and the area
    /// code are in the CSV; the error column appears only when an image has one.
    /// </summary>
    private static Table Table(JobDetails job)
    {
        var images = job.Visits.SelectMany(v => v.Images.Select(i => (Visit: v, Image: i))).ToList();
        var withErrors = images.Any(i => i.Image.Error is not null);
        var table = withErrors
            ? Terminal.Table("Store", "Image", "Status", "Size", "Perimeter", "Error")
            : Terminal.Table("Store", "Image", "Status", "Size", "Perimeter");
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var (visit, image) in images)
        {
            var size = image is { Width: { } width, Height: { } height } ? string.Create(CultureInfo.InvariantCulture, $"{width}x{height}") : string.Empty;
            string?[] cells = [visit.StoreId, image.ImageUrl, Terminal.Word(image.Status), size, Terminal.Number(image.Perimeter)];
            Terminal.Row(table, withErrors ? [.. cells, image.Error] : cells);
        }

        return table;
    }

    private static async Task SaveCsvAsync(CommandContext context, long jobId, string target, CancellationToken cancellationToken)
    {
        await using var body = await context.Client.GetResultsCsvAsync(jobId, cancellationToken);
        if (target == "-")
        {
            await using var stdout = Console.OpenStandardOutput();
            await body.CopyToAsync(stdout, cancellationToken);
            return;
        }

        // Written beside the target and moved over it at the end, so a broken download leaves no half file.
        var full = Path.GetFullPath(target);
        var partial = full + ".partial";
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await body.CopyToAsync(file, cancellationToken);
            }

            File.Move(partial, full, overwrite: true);
        }
        catch (HttpIOException)
        {
            File.Delete(partial);
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
            throw new UsageException($"{target}: cannot be written: {e.Message}");
        }

        context.Terminal.Line($"Saved the results of job {jobId} to {target} ({new FileInfo(full).Length} bytes).");
    }
}
