namespace KC.Application.Common.Interfaces;

/// <summary>An <c>Idempotency-Key</c> to store with a new job, in the same transaction.</summary>
/// <param name="RequestHash">SHA-256 (lower-case hex) of the submit's canonical form.</param>
public sealed record NewIdempotencyKey(string Key, string RequestHash, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>A stored, unexpired <c>Idempotency-Key</c>: the job it created and the request that created it.</summary>
public sealed record IdempotencyKeyRecord(string Key, string RequestHash, long JobId);
