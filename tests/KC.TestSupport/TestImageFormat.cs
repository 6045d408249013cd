namespace KC.TestSupport;

/// <summary>The image formats the service must measure (contract §3).</summary>
public enum TestImageFormat
{
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
}
