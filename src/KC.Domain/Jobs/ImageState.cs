namespace KC.Domain.Jobs;

/// <summary>Where one image is in its processing. Stored as its integer value; never renumber.</summary>
public enum ImageState
{
    Pending = 0,
    Processing = 1,
    Succeeded = 2,
    Failed = 3,
}

public static class ImageStateExtensions
{
    public static bool IsSettled(this ImageState state) => state is ImageState.Succeeded or ImageState.Failed;
}
