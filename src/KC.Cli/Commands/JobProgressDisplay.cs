using System.Diagnostics;
using System.Globalization;
using KC.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KC.Cli.Commands;

/// <summary>
/// Follows a job to its end. On a terminal, a live progress bar: images done (settled) of all, how
/// many failed, and the time left at the rate seen so far. Elsewhere (a file, a pipe, CI) the same
/// facts as plain lines: the first status, one line at most every ten seconds while it changes, and
/// the last.
/// </summary>
internal static class JobProgressDisplay
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(10);

    public static Task<JobStatus> WaitAsync(CommandContext context, long jobId, TimeSpan pollInterval, CancellationToken cancellationToken) =>
        context.Terminal.Output.Profile.Capabilities is { Interactive: true, Ansi: true }
            ? LiveAsync(context, jobId, pollInterval, cancellationToken)
            : LinesAsync(context, jobId, pollInterval, cancellationToken);

    private static async Task<JobStatus> LiveAsync(CommandContext context, long jobId, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var eta = new Eta();
        return await context.Terminal.Output.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .ExcludeVerticalPadding(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new EtaColumn(eta))
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Job {jobId}")), autoStart: true, maxValue: 1);
                void Show(JobStatus status)
                {
                    eta.Observe(status.Progress);
                    task.MaxValue = Math.Max(status.Progress.Total, 1);
                    task.Value = status.Progress.Total == 0 ? 1 : status.Progress.Settled;
                    task.Description = Markup.Escape(Counts(status));
                }

                var status = await context.Client.WaitForCompletionAsync(jobId, new Synchronous(Show), pollInterval, cancellationToken);
                Show(status);
                task.StopTask();
                return status;
            });
    }

    private static async Task<JobStatus> LinesAsync(CommandContext context, long jobId, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var eta = new Eta();
        var sinceLine = Stopwatch.StartNew();
        JobProgress? shown = null;
        void Show(JobStatus status)
        {
            eta.Observe(status.Progress);
            if (shown is null || (status.Progress != shown && sinceLine.Elapsed >= LineInterval))
            {
                context.Terminal.Line(status.Status == JobState.Ongoing ? $"{Counts(status)}, {eta}" : Counts(status));
                shown = status.Progress;
                sinceLine.Restart();
            }
        }

        var status = await context.Client.WaitForCompletionAsync(jobId, new Synchronous(Show), pollInterval, cancellationToken);
        if (status.Progress != shown)
        {
            context.Terminal.Line(Counts(status));
        }

        return status;
    }

    private static string Counts(JobStatus status) =>
        string.Create(CultureInfo.InvariantCulture, $"Job {status.JobId}: {status.Progress.Settled}/{status.Progress.Total} done, {status.Progress.Failed} failed");

    /// <summary>Reports on the polling thread, in order: <see cref="Progress{T}"/> would post to the thread pool and could show an older status last.</summary>
    private sealed class Synchronous(Action<JobStatus> report) : IProgress<JobStatus>
    {
        public void Report(JobStatus value) => report(value);
    }

    /// <summary>The time left at the rate images have settled since kc began to watch: <c>ETA 0:01:05</c>, or <c>ETA --</c> before any has.</summary>
    private sealed class Eta
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int? _firstSettled;
        private TimeSpan? _remaining;

        public void Observe(JobProgress progress)
        {
            _firstSettled ??= progress.Settled;
            var settled = progress.Settled - _firstSettled.Value;
            _remaining = progress.Pending == 0 ? TimeSpan.Zero
                : settled > 0 ? _clock.Elapsed / settled * progress.Pending
                : null;
        }

        public override string ToString() =>
            _remaining is { } left && left < TimeSpan.FromDays(4)
                ? string.Create(CultureInfo.InvariantCulture, $"ETA {(int)left.TotalHours}:{left:mm\\:ss}")
                : "ETA --";
    }

    private sealed class EtaColumn(Eta eta) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.IsFinished
                ? string.Create(CultureInfo.InvariantCulture, $"took {task.ElapsedTime ?? TimeSpan.Zero:h\\:mm\\:ss}")
                : eta.ToString());
    }
}
