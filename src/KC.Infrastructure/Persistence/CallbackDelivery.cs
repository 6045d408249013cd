using KC.Application.Common.Interfaces;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// A row of <c>callback_deliveries</c>: the durable queue of completion callbacks, one per settled
/// job that asked for one. Inserted in the transaction that settles the job; claimed, sent and
/// updated by the callback dispatcher under a lease, like images are by the processing engine.
/// </summary>
internal sealed class CallbackDelivery
{
    private CallbackDelivery()
    {
        Url = string.Empty;
    }

    public long JobId { get; private set; }

    public string Url { get; private set; }

    public CallbackStatus State { get; private set; }

    /// <summary>POSTs made so far.</summary>
    public int Attempts { get; private set; }

    /// <summary>Unix milliseconds; a pending delivery is due once this has passed.</summary>
    public long NextAttemptAt { get; private set; }

    public string? LeaseOwner { get; private set; }

    /// <summary>Unix milliseconds; after it a claim has lapsed and any node may send again.</summary>
    public long? LeaseExpiresAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it was delivered or given up.</summary>
    public DateTimeOffset? CompletedAt { get; private set; }
}

/// <summary>A row of <c>callback_attempts</c>: one POST of a completion callback and what came of it.</summary>
internal sealed class CallbackAttempt
{
    private CallbackAttempt()
    {
    }

    public long Id { get; private set; }

    public long JobId { get; private set; }

    public DateTimeOffset AttemptedAt { get; private set; }

    /// <summary>The receiver's HTTP status; null when no response came (refused, unreachable, timed out).</summary>
    public int? StatusCode { get; private set; }

    /// <summary>Why the attempt failed; null when it was delivered.</summary>
    public string? Error { get; private set; }
}
