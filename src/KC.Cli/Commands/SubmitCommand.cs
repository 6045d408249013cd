using System.CommandLine;
using KC.Client;

namespace KC.Cli.Commands;

/// <summary><c>kc submit FILE [--wait]</c>: submits the job a JSON file describes, and with <c>--wait</c> follows it to its end.</summary>
internal static class SubmitCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create(KcCommandLine commandLine)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The job as JSON: the body of POST /api/submit ({\"count\", \"visits\", \"callback_url\"})" }.AcceptExistingOnly();
        var wait = new Option<bool>("--wait") { Description = "Follow the job with a progress bar until it settles; exit 1 when it fails" };
        var key = new Option<string>("--idempotency-key") { Description = "Sent as Idempotency-Key: a retry with the same key and file answers with the same job", HelpName = "KEY" };
        var command = new Command("submit", "Submit a job") { file, wait, key };
        commandLine.SetAction(command, async (context, parsed, cancellationToken) =>
        {
            var path = parsed.GetValue(file)!;
            var job = await JobFile.ReadAsync(path, cancellationToken);
            var submitted = await context.Client.SubmitAsync(job, parsed.GetValue(key), cancellationToken);
            var images = job.Visits.Sum(v => v.ImageUrl.Count);
            context.Terminal.Line(submitted.Replayed
                ? $"Job {submitted.JobId} was already submitted with this idempotency key."
                : $"Submitted job {submitted.JobId}: {job.Visits.Count} {(job.Visits.Count == 1 ? "visit" : "visits")}, {images} {Terminal.Images(images)}.");
            if (!parsed.GetValue(wait))
            {
                return ExitCodes.Ok;
            }

            try
            {
                var status = await JobProgressDisplay.WaitAsync(context, submitted.JobId, PollInterval, cancellationToken);
                return Report(context.Terminal, status);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Terminal.Fail($"Stopped waiting; job {submitted.JobId} goes on (kc status {submitted.JobId}).");
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }

    /// <summary>Prints a settled job's outcome and its failing stores; the exit code says how it ended.</summary>
    public static int Report(Terminal terminal, JobStatus status)
    {
        terminal.Line(Terminal.Summary(status.JobId, status.Status, status.Progress));
        terminal.StoreErrors(status.Error);
        return status.Status is JobState.Completed or JobState.Ongoing ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
