namespace KC.Domain.Jobs;

/// <summary>Where one image is in its processing. Stored as its integer value; never renumber.</summary>
public enum ImageState
{
    Pending = 0,
    Processing = 1,
    Succeeded = 2,
    Failed = 3,

    /// <summary>Its job was cancelled before it settled; it is never processed.</summary>
    Cancelled = 4,
}

public static class ImageStateExtensions
{
    /// <summary>Whether the image is done with: it has an outcome, or its job was cancelled.</summary>
    public static bool IsSettled(this ImageState state) => state is ImageState.Succeeded or ImageState.Failed or ImageState.Cancelled;
}
