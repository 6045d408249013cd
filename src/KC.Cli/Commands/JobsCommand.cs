using System.CommandLine;
using KC.Client;
using Spectre.Console;

namespace KC.Cli.Commands;

/// <summary><c>kc jobs [--status S] [--page N] [--page-size N]</c>: jobs newest first, a page at a time.</summary>
internal static class JobsCommand
{
    public static Command Create(KcCommandLine commandLine)
    {
        var status = new Option<string>("--status") { Description = "Only jobs in this state", HelpName = "STATE" };
        status.AcceptOnlyFromAmong([.. Enum.GetValues<JobState>().Select(Terminal.Word)]);
        var page = PositiveOption("--page", "The page, from 1");
        var pageSize = PositiveOption("--page-size", "Jobs per page, at most 500 [default: the service's]");
        var command = new Command("jobs", "List jobs, newest first") { status, page, pageSize };
        commandLine.SetAction(command, async (context, parsed, cancellationToken) =>
        {
            var query = new JobQuery
            {
                Status = parsed.GetValue(status) is { } word ? Enum.Parse<JobState>(word, ignoreCase: true) : null,
                Page = parsed.GetValue(page),
                PageSize = parsed.GetValue(pageSize),
            };
            var jobs = await context.Client.ListJobsAsync(query, cancellationToken);
            var table = Terminal.Table("Job", "Status", "Created", "Completed", "Images", "Succeeded", "Failed", "Cancelled", "Pending");
            foreach (var job in jobs.Items)
            {
                Terminal.Row(
                    table,
                    Terminal.Number(job.JobId),
                    Terminal.Word(job.Status),
                    Terminal.Time(job.CreatedAt),
                    Terminal.Time(job.CompletedAt),
                    Terminal.Number(job.Progress.Total),
                    Terminal.Number(job.Progress.Succeeded),
                    Terminal.Number(job.Progress.Failed),
                    Terminal.Number(job.Progress.Cancelled),
                    Terminal.Number(job.Progress.Pending));
            }

            foreach (var column in table.Columns.Skip(4))
            {
                column.RightAligned();
            }

            if (jobs.Items.Count > 0)
            {
                context.Terminal.Output.Write(table);
            }

            context.Terminal.Line($"Page {jobs.Page} of {Math.Max(jobs.TotalPages, 1)}: {jobs.TotalItems} {(jobs.TotalItems == 1 ? "job" : "jobs")}{(query.Status is { } s ? $" {Terminal.Word(s)}" : string.Empty)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<int?> PositiveOption(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError($"{name}: must be a positive integer");
            }
        });
        return option;
    }
}
