using System.CommandLine;
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
            var table = Terminal.Table("Store", "Name", "Visit time", "Image", "Status", "Width", "Height", "Perimeter", "Error");
            foreach (var visit in job.Visits)
            {
                foreach (var image in visit.Images)
                {
                    Terminal.Row(
                        table,
                        visit.StoreId,
                        visit.StoreName,
                        Terminal.Time(visit.VisitTime),
                        image.ImageUrl,
                        Terminal.Word(image.Status),
                        Terminal.Number(image.Width),
                        Terminal.Number(image.Height),
                        Terminal.Number(image.Perimeter),
                        image.Error);
                }
            }

            foreach (var column in table.Columns.Skip(5).Take(3))
            {
                column.RightAligned();
            }

            context.Terminal.Output.Write(table);
            context.Terminal.Line(Terminal.Summary(job.JobId, job.Status, job.Progress));
            return ExitCodes.Ok;
        });
        return command;
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
