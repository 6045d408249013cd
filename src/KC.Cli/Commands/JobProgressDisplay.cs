using System.Globalization;
using KC.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KC.Cli.Commands;

/// <summary>
/// A live progress bar while a job runs: images done (settled) of all, how many failed, and the time
/// left at the rate seen so far. Output that is not a terminal gets a line at 25, 50, 75 and 95–100 %.
/// </summary>
internal static class JobProgressDisplay
{
    public static async Task<JobStatus> WaitAsync(CommandContext context, long jobId, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var console = context.Terminal.Output;
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .ExcludeVerticalPadding(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new EtaColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Describe(jobId, null), autoStart: true, maxValue: 1);
                var status = await context.Client.WaitForCompletionAsync(jobId, new Synchronous(status => Show(task, status)), pollInterval, cancellationToken);
                Show(task, status);
                task.StopTask();
                return status;
            });
    }

    private static void Show(ProgressTask task, JobStatus status)
    {
        task.MaxValue = Math.Max(status.Progress.Total, 1);
        task.Value = status.Progress.Total == 0 ? 1 : status.Progress.Settled;
        task.Description = Describe(status.JobId, status.Progress);
    }

    private static string Describe(long jobId, JobProgress? progress) =>
        Markup.Escape(progress is null
            ? string.Create(CultureInfo.InvariantCulture, $"Job {jobId}")
            : string.Create(CultureInfo.InvariantCulture, $"Job {jobId}: {progress.Settled}/{progress.Total} done, {progress.Failed} failed"));

    /// <summary>Reports on the polling thread, in order: <see cref="Progress{T}"/> would post to the thread pool and could show an older status last.</summary>
    private sealed class Synchronous(Action<JobStatus> report) : IProgress<JobStatus>
    {
        public void Report(JobStatus value) => report(value);
    }

    /// <summary><c>ETA 0:01:05</c> from the rate observed so far; <c>ETA --</c> before there is one.</summary>
    private sealed class EtaColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.IsFinished)
            {
                return new Text(string.Create(CultureInfo.InvariantCulture, $"took {task.ElapsedTime ?? TimeSpan.Zero:h\\:mm\\:ss}"));
            }

            return new Text(task.RemainingTime is { } left && left < TimeSpan.FromDays(1)
                ? string.Create(CultureInfo.InvariantCulture, $"ETA {left:h\\:mm\\:ss}")
                : "ETA --");
        }
    }
}
