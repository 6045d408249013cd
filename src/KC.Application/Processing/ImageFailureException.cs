namespace KC.Application.Processing;

/// <summary>
/// A download or decode that failed for good, with the message stored on the image
/// (for example <c>HTTP 404</c> or <c>not a decodable image</c>).
/// </summary>
public sealed class ImageFailureException : Exception
{
    public ImageFailureException()
    {
    }

    public ImageFailureException(string message)
        : base(message)
    {
    }

    public ImageFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageFailureException(string message, int attempts, Exception? innerException = null)
        : base(message, innerException)
    {
        Attempts = attempts;
    }

    public ImageFailureException(string message, ImageFailureReason reason, int attempts = 1, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        Attempts = attempts;
    }

    /// <summary>HTTP attempts made before giving up.</summary>
    public int Attempts { get; } = 1;

    /// <summary>What kind of failure it was, for the metrics.</summary>
    public ImageFailureReason Reason { get; } = ImageFailureReason.Other;
}
