namespace KC.Application.Common.Exceptions;

/// <summary>The request is well formed but the resource's current state does not allow it.</summary>
public sealed class ConflictException : Exception
{
    public ConflictException()
    {
    }

    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
