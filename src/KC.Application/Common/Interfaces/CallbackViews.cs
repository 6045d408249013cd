namespace KC.Application.Common.Interfaces;

/// <summary>Where a job's completion callback stands: pending until delivered or given up.</summary>
public enum CallbackStatus
{
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}

/// <summary>A job's completion callback and every delivery attempt so far, oldest first.</summary>
public sealed record CallbackView(string Url, CallbackStatus Status, IReadOnlyList<CallbackAttemptView> Attempts);

/// <summary>One POST to the callback URL: the HTTP status it got, or why it got none.</summary>
public sealed record CallbackAttemptView(DateTimeOffset At, int? StatusCode, string? Error);
