namespace KC.Application.Common.Exceptions;

/// <summary>Thrown by a handler when the thing a request names does not exist.</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException(string resource, object key)
        : base($"{resource} {key} was not found.")
    {
        Resource = resource;
        Key = key.ToString() ?? string.Empty;
    }

    public NotFoundException()
    {
        Resource = string.Empty;
        Key = string.Empty;
    }

    public NotFoundException(string message)
        : base(message)
    {
        Resource = string.Empty;
        Key = string.Empty;
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        Resource = string.Empty;
        Key = string.Empty;
    }

    public string Resource { get; }

    public string Key { get; }
}
