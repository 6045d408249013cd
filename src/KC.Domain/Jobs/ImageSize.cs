using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>The pixel size of a decoded image header, and the perimeter the service reports for it.</summary>
public readonly record struct ImageSize
{
    public ImageSize(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new DomainRuleException(
                JobRules.ImageSizeIsPositive,
                $"An image size must be positive; got {width}x{height}.");
        }

        Width = width;
        Height = height;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>2 × (width + height), computed in 64 bits so no real image can overflow it.</summary>
    public long Perimeter => 2L * ((long)Width + Height);
}
