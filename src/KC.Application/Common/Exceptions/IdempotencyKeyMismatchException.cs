namespace KC.Application.Common.Exceptions;

/// <summary>
/// An <c>Idempotency-Key</c> that an earlier submit used with a different request: replaying that
/// job would answer a request the client did not send, and creating another would break the key's promise.
/// </summary>
public sealed class IdempotencyKeyMismatchException : Exception
{
    public IdempotencyKeyMismatchException(string key)
        : base($"Idempotency-Key '{key}' was already used with a different request body")
    {
        Key = key;
    }

    public IdempotencyKeyMismatchException()
    {
        Key = string.Empty;
    }

    public IdempotencyKeyMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    public string Key { get; }
}
