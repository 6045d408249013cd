namespace KC.Application.Common.Exceptions;

/// <summary>
/// Thrown by <see cref="Interfaces.IJobRepository.SaveChangesAsync"/> when a concurrent submit
/// stored the same <c>Idempotency-Key</c> first. Nothing of this submit was stored; the caller
/// answers with the job the key now names.
/// </summary>
public sealed class IdempotencyKeyTakenException : Exception
{
    public IdempotencyKeyTakenException()
    {
    }

    public IdempotencyKeyTakenException(string message)
        : base(message)
    {
    }

    public IdempotencyKeyTakenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
