using KC.Application.Processing;
using KC.Domain.Jobs;
using SkiaSharp;

namespace KC.Infrastructure.Imaging;

/// <summary>Reads the size from the image header with Skia's codec; no pixel is decoded.</summary>
internal sealed class SkiaImageMeasurer : IImageMeasurer
{
    public ImageSize Measure(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            throw new ImageFailureException("not a decodable image (empty body)");
        }

        using var data = SKData.CreateCopy(content);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            throw new ImageFailureException("not a decodable image");
        }

        return new ImageSize(codec.Info.Width, codec.Info.Height);
    }
}
