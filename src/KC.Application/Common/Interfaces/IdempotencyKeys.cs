namespace KC.Application.Common.Interfaces;

/// <summary>An <c>Idempotency-Key</c> to store with a new job, in the same transaction.</summary>
/// <param name="Scope">Whose keys it is among (<see cref="IdempotencyScope"/>): a key names one job per scope.</param>
/// <param name="RequestHash">SHA-256 (lower-case hex) of the submit's canonical form.</param>
public sealed record NewIdempotencyKey(string Scope, string Key, string RequestHash, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// The scopes idempotency keys live in. With API keys configured each API key is a scope of its own,
/// written as a non-reversible fingerprint of it (never the key itself), so two clients cannot
/// collide on one <c>Idempotency-Key</c>; without API keys there is one scope for every client.
/// </summary>
public static class IdempotencyScope
{
    /// <summary>The one scope of every client when API keys are off.</summary>
    public const string Shared = "";

    /// <summary>Characters of a scope: a SHA-256 in lower-case hex.</summary>
    public const int MaxLength = 64;
}

/// <summary>A stored, unexpired <c>Idempotency-Key</c>: the job it created and the request that created it.</summary>
public sealed record IdempotencyKeyRecord(string Key, string RequestHash, long JobId);
