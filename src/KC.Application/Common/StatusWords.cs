using System.Collections.Frozen;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;

namespace KC.Application.Common;

/// <summary>
/// The words the wire contract uses for statuses, spelled in this one place: the responses, the
/// callback body, the status filter of the job list and the dashboard all go through it.
/// </summary>
public static class StatusWords
{
    /// <summary>Every job status, in the order error sentences list them.</summary>
    public static IReadOnlyList<JobStatus> JobStatuses { get; } = [JobStatus.Ongoing, JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled];

    private static readonly FrozenDictionary<string, JobStatus> JobStatusByWord =
        JobStatuses.ToFrozenDictionary(Of, status => status, StringComparer.Ordinal);

    public static string Of(JobStatus status) => status switch
    {
        JobStatus.Ongoing => "ongoing",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Of(ImageState state) => state switch
    {
        ImageState.Pending => "pending",
        ImageState.Processing => "processing",
        ImageState.Succeeded => "succeeded",
        ImageState.Failed => "failed",
        ImageState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Of(CallbackStatus status) => status switch
    {
        CallbackStatus.Pending => "pending",
        CallbackStatus.Delivered => "delivered",
        CallbackStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The job status a word names; false for anything else (case counts).</summary>
    public static bool TryParse(string word, out JobStatus status) => JobStatusByWord.TryGetValue(word, out status);

    /// <summary>The job status words joined for an error sentence: <c>ongoing, completed, failed, cancelled</c>.</summary>
    public static string ListJobStatuses() => string.Join(", ", JobStatuses.Select(Of));
}
