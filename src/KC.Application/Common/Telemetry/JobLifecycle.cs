using KC.Domain.Jobs;
using Microsoft.Extensions.Logging;

namespace KC.Application.Common.Telemetry;

/// <summary>A job the store has just given its final status, as the settling transaction read it back.</summary>
/// <param name="SubmittedAt">The job's <c>created_at</c>.</param>
/// <param name="Progress">Its counters at the moment it settled.</param>
public sealed record SettledJob(long JobId, JobStatus Status, DateTimeOffset SubmittedAt, DateTimeOffset SettledAt, JobProgress Progress)
{
    public TimeSpan Duration => SettledAt - SubmittedAt;
}

/// <summary>
/// Tells the logs and the metrics that a job was stored or settled: one Information line each,
/// with the job id as its <c>JobId</c> property, and the job counters. Called by the store once the transaction that did
/// it has committed, so nothing is reported that did not happen, and nothing twice.
/// </summary>
public sealed partial class JobLifecycle(KcTelemetry telemetry, ILogger<JobLifecycle> logger)
{
    public void Submitted(long jobId, int visits, int images)
    {
        telemetry.JobSubmitted();
        LogSubmitted(jobId, visits, images);
    }

    public void Settled(SettledJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        telemetry.JobSettled(job.Status, job.Duration);
        var status = StatusWords.Of(job.Status);
        var seconds = Math.Max(0, job.Duration.TotalSeconds);
        var progress = job.Progress;
        LogSettled(job.JobId, status, seconds, progress.Succeeded, progress.Failed, progress.Cancelled, progress.Total);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} submitted: {Visits} visits, {Images} images")]
    private partial void LogSubmitted(long jobId, int visits, int images);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} {Status} after {DurationSeconds:0.000} s: {Succeeded} succeeded, {Failed} failed, {Cancelled} cancelled of {Images} images")]
    private partial void LogSettled(long jobId, string status, double durationSeconds, int succeeded, int failed, int cancelled, int images);
}
