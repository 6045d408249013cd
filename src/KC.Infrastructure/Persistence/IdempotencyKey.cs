namespace KC.Infrastructure.Persistence;

/// <summary>
/// A row of <c>idempotency_keys</c>: a client's <c>Idempotency-Key</c> within its scope (a
/// fingerprint of the client's API key, or empty when keys are off), the request it was first sent
/// with (as a hash) and the job that request created. Written only by <see cref="JobRepository"/>,
/// in the job's own transaction.
/// </summary>
internal sealed class IdempotencyKey
{
    private IdempotencyKey()
    {
        Scope = string.Empty;
        Key = string.Empty;
        RequestHash = string.Empty;
    }

    /// <summary>A SHA-256 of the API key the submit came with, never the key itself; empty when API keys are off.</summary>
    public string Scope { get; private set; }

    public string Key { get; private set; }

    public string RequestHash { get; private set; }

    public long JobId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Unix milliseconds, so the purge compares numbers in SQL.</summary>
    public long ExpiresAt { get; private set; }
}
