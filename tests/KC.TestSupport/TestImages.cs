using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace KC.TestSupport;

/// <summary>
/// Real encoded images of an exact size, so tests exercise the same header parsing the service
/// relies on. Every call returns a fresh array the caller may keep or change.
/// </summary>
public static class TestImages
{
    private const int SkiaQuality = 90;

    public static byte[] Jpeg(int width, int height) => EncodeWithSkia(width, height, SKEncodedImageFormat.Jpeg);

    public static byte[] Png(int width, int height) => EncodeWithSkia(width, height, SKEncodedImageFormat.Png);

    public static byte[] Webp(int width, int height) => EncodeWithSkia(width, height, SKEncodedImageFormat.Webp);

    /// <summary>A GIF89a with one full-frame image; Skia has no GIF encoder, hence the hand-written one.</summary>
    public static byte[] Gif(int width, int height)
    {
        CheckSize(width, height, max: ushort.MaxValue);
        return GifEncoder.Encode(width, height);
    }

    /// <summary>A 24-bit BMP (BITMAPINFOHEADER); Skia has no BMP encoder, hence the hand-written one.</summary>
    public static byte[] Bmp(int width, int height)
    {
        CheckSize(width, height, max: int.MaxValue);
        return BmpEncoder.Encode(width, height);
    }

    public static byte[] Create(TestImageFormat format, int width, int height) => format switch
    {
        TestImageFormat.Jpeg => Jpeg(width, height),
        TestImageFormat.Png => Png(width, height),
        TestImageFormat.Webp => Webp(width, height),
        TestImageFormat.Gif => Gif(width, height),
        TestImageFormat.Bmp => Bmp(width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown image format"),
    };

    /// <summary>
    /// The first <paramref name="length"/> bytes of a real image: the signature is right, so the
    /// payload looks like an image to anything that sniffs magic numbers, but no codec can read a size.
    /// </summary>
    public static byte[] TruncatedHeader(TestImageFormat format = TestImageFormat.Png, int length = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 12);
        return Create(format, 8, 8).AsSpan(0, length).ToArray();
    }

    /// <summary>What a misconfigured URL typically returns instead of an image: an HTML page.</summary>
    public static byte[] NotAnImage() => Encoding.UTF8.GetBytes(
        "<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><p>This is not an image.</p></body></html>\n");

    public static string ContentType(TestImageFormat format) => format switch
    {
        TestImageFormat.Jpeg => "image/jpeg",
        TestImageFormat.Png => "image/png",
        TestImageFormat.Webp => "image/webp",
        TestImageFormat.Gif => "image/gif",
        TestImageFormat.Bmp => "image/bmp",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown image format"),
    };

    public static string Extension(TestImageFormat format) => format switch
    {
        TestImageFormat.Jpeg => "jpg",
        TestImageFormat.Png => "png",
        TestImageFormat.Webp => "webp",
        TestImageFormat.Gif => "gif",
        TestImageFormat.Bmp => "bmp",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown image format"),
    };

    /// <summary>Maps a file extension (without the dot, any case; "jpeg" too) to its format.</summary>
    public static bool TryParseExtension(string? extension, out TestImageFormat format)
    {
        switch (extension?.ToUpperInvariant())
        {
            case "JPG" or "JPEG":
                format = TestImageFormat.Jpeg;
                return true;
            case "PNG":
                format = TestImageFormat.Png;
                return true;
            case "WEBP":
                format = TestImageFormat.Webp;
                return true;
            case "GIF":
                format = TestImageFormat.Gif;
                return true;
            case "BMP":
                format = TestImageFormat.Bmp;
                return true;
            default:
                format = default;
                return false;
        }
    }

    private static byte[] EncodeWithSkia(int width, int height, SKEncodedImageFormat format)
    {
        CheckSize(width, height, max: format == SKEncodedImageFormat.Webp ? 16383 : ushort.MaxValue);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            // Some structure rather than a flat colour, so encoders do not take degenerate paths.
            canvas.Clear(SKColors.SteelBlue);
            using var paint = new SKPaint { Color = SKColors.Orange, IsAntialias = false };
            canvas.DrawRect(SKRect.Create(width / 4f, height / 4f, Math.Max(1, width / 2), Math.Max(1, height / 2)), paint);
        }

        using var data = bitmap.Encode(format, SkiaQuality)
            ?? throw new InvalidOperationException($"Skia could not encode a {width}x{height} {format} image.");
        return data.ToArray();
    }

    private static void CheckSize(int width, int height, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, max);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, max);
    }

    /// <summary>Palette index of a pixel: a diagonal gradient, shared by the GIF and BMP encoders.</summary>
    private static byte PixelIndex(int x, int y) => (byte)((x + y) & 0xFF);

    private static (byte R, byte G, byte B) PaletteColour(int index) =>
        ((byte)index, (byte)(255 - index), (byte)((index * 7) & 0xFF));

    private static class GifEncoder
    {
        // 256 colours: every pixel index is a literal code of 8 + 1 bits right after a clear code.
        private const int MinCodeSize = 8;
        private const int ClearCode = 1 << MinCodeSize;
        private const int EndOfInformation = ClearCode + 1;
        private const int CodeWidth = MinCodeSize + 1;

        // The decoder grows its table by one entry per code; a clear code every 128 literals keeps
        // the table far below 512 entries, so the code width never changes and no real LZW
        // dictionary is needed. Larger files, but valid for every decoder.
        private const int LiteralsPerClear = 128;

        public static byte[] Encode(int width, int height)
        {
            var output = new MemoryStream();
            output.Write("GIF89a"u8);

            // Logical screen descriptor: global colour table of 2^(7+1) entries, 8 bits per primary.
            WriteUInt16(output, width);
            WriteUInt16(output, height);
            output.WriteByte(0b1111_0111);
            output.WriteByte(0); // background colour index
            output.WriteByte(0); // pixel aspect ratio: unspecified

            for (var i = 0; i < 256; i++)
            {
                var (r, g, b) = PaletteColour(i);
                output.WriteByte(r);
                output.WriteByte(g);
                output.WriteByte(b);
            }

            // Image descriptor: one frame covering the whole screen, no local table, not interlaced.
            output.WriteByte(0x2C);
            WriteUInt16(output, 0);
            WriteUInt16(output, 0);
            WriteUInt16(output, width);
            WriteUInt16(output, height);
            output.WriteByte(0);

            output.WriteByte(MinCodeSize);
            WriteSubBlocks(output, LzwData(width, height));
            output.WriteByte(0); // block terminator

            output.WriteByte(0x3B); // trailer
            return output.ToArray();
        }

        private static byte[] LzwData(int width, int height)
        {
            var pixels = checked(width * height);
            var clears = 1 + ((pixels - 1) / LiteralsPerClear);
            var bits = new LsbBitWriter(codes: checked(pixels + clears + 1), CodeWidth);
            bits.Write(ClearCode);
            var run = 0;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    if (run == LiteralsPerClear)
                    {
                        bits.Write(ClearCode);
                        run = 0;
                    }

                    bits.Write(PixelIndex(x, y));
                    run++;
                }
            }

            bits.Write(EndOfInformation);
            return bits.ToArray();
        }

        private static void WriteSubBlocks(MemoryStream output, byte[] data)
        {
            for (var offset = 0; offset < data.Length; offset += 255)
            {
                var length = Math.Min(255, data.Length - offset);
                output.WriteByte((byte)length);
                output.Write(data, offset, length);
            }
        }

        private static void WriteUInt16(MemoryStream output, int value)
        {
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, checked((ushort)value));
            output.Write(buffer);
        }
    }

    /// <summary>GIF packs codes least-significant bit first.</summary>
    private sealed class LsbBitWriter(int codes, int width)
    {
        private readonly byte[] _bytes = new byte[checked((int)((((long)codes * width) + 7) / 8))];
        private int _position;
        private uint _buffer;
        private int _count;

        public void Write(int code)
        {
            _buffer |= (uint)code << _count;
            _count += width;
            while (_count >= 8)
            {
                _bytes[_position++] = (byte)_buffer;
                _buffer >>= 8;
                _count -= 8;
            }
        }

        public byte[] ToArray()
        {
            if (_count > 0)
            {
                _bytes[_position++] = (byte)_buffer;
                _buffer = 0;
                _count = 0;
            }

            return _position == _bytes.Length
                ? _bytes
                : throw new InvalidOperationException("LZW code count was miscalculated.");
        }
    }

    private static class BmpEncoder
    {
        private const int FileHeaderSize = 14;
        private const int InfoHeaderSize = 40;
        private const int PixelsPerMetre = 2835; // 72 dpi

        public static byte[] Encode(int width, int height)
        {
            // Rows are padded to a multiple of 4 bytes; odd widths are where readers go wrong.
            var rowSize = ((width * 3) + 3) & ~3;
            var imageSize = checked(rowSize * height);
            var fileSize = checked(FileHeaderSize + InfoHeaderSize + imageSize);
            var bmp = new byte[fileSize];
            var span = bmp.AsSpan();

            span[0] = (byte)'B';
            span[1] = (byte)'M';
            BinaryPrimitives.WriteInt32LittleEndian(span[2..], fileSize);
            BinaryPrimitives.WriteInt32LittleEndian(span[10..], FileHeaderSize + InfoHeaderSize);

            var info = span[FileHeaderSize..];
            BinaryPrimitives.WriteInt32LittleEndian(info, InfoHeaderSize);
            BinaryPrimitives.WriteInt32LittleEndian(info[4..], width);
            BinaryPrimitives.WriteInt32LittleEndian(info[8..], height); // positive: bottom-up rows
            BinaryPrimitives.WriteInt16LittleEndian(info[12..], 1); // planes
            BinaryPrimitives.WriteInt16LittleEndian(info[14..], 24); // bits per pixel
            BinaryPrimitives.WriteInt32LittleEndian(info[16..], 0); // BI_RGB, uncompressed
            BinaryPrimitives.WriteInt32LittleEndian(info[20..], imageSize);
            BinaryPrimitives.WriteInt32LittleEndian(info[24..], PixelsPerMetre);
            BinaryPrimitives.WriteInt32LittleEndian(info[28..], PixelsPerMetre);

            var pixels = span[(FileHeaderSize + InfoHeaderSize)..];
            for (var row = 0; row < height; row++)
            {
                var y = height - 1 - row;
                var line = pixels.Slice(row * rowSize, rowSize);
                for (var x = 0; x < width; x++)
                {
                    var (r, g, b) = PaletteColour(PixelIndex(x, y));
                    line[x * 3] = b;
                    line[(x * 3) + 1] = g;
                    line[(x * 3) + 2] = r;
                }
            }

            return bmp;
        }
    }
}
