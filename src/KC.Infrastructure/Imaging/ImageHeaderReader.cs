using System.Buffers.Binary;
using KC.Domain.Jobs;
using SkiaSharp;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Reads an image's width and height from the first bytes of its body, before the rest has arrived.
/// Skia's codec parses the header without decoding a pixel and says when the bytes so far are not
/// enough yet, so the caller can hand it a growing prefix and stop as soon as the size is known.
/// </summary>
internal static class ImageHeaderReader
{
    /// <summary>The bytes Skia needs to tell one format from another; fewer are never "not an image" yet.</summary>
    public const int SniffBytes = 32;

    /// <summary>The smallest header bound that makes sense: enough for every format's fixed header.</summary>
    public const int MinimumPrefixBytes = 1024;

    /// <summary>Held around every use of Skia (see <see cref="ReadWithSkia"/>).</summary>
    private static readonly Lock SkiaGate = new();

    /// <summary>
    /// What <paramref name="prefix"/> tells of the image. <paramref name="complete"/> says the body
    /// ends there, so a header still incomplete is not an image rather than a reason to wait.
    /// </summary>
    public static HeaderRead Read(ReadOnlySpan<byte> prefix, bool complete)
    {
        if (prefix.IsEmpty)
        {
            return complete ? HeaderRead.NotAnImage("not a decodable image (empty body)") : HeaderRead.NeedMore;
        }

        // A WebP's size is in its RIFF chunk header, which Skia reads only once the whole first frame
        // is there; and Skia's WebP decoder is known to crash a process, with no error to catch, when
        // many threads use it at once (mono/SkiaSharp#1628). So a WebP never reaches Skia here: its
        // first 30 bytes answer.
        if (WebpHeader.IsWebp(prefix))
        {
            if (WebpHeader.TryRead(prefix, out var webpWidth, out var webpHeight))
            {
                return webpWidth > 0 && webpHeight > 0 ? HeaderRead.Measured(new ImageSize(webpWidth, webpHeight)) : HeaderRead.NotAnImage("not a decodable image");
            }

            return prefix.Length < WebpHeader.Length && !complete ? HeaderRead.NeedMore : HeaderRead.NotAnImage("not a decodable image");
        }

        var (size, result) = ReadWithSkia(prefix);
        if (size is { } measured)
        {
            return measured.Width > 0 && measured.Height > 0 ? HeaderRead.Measured(measured) : HeaderRead.NotAnImage("not a decodable image");
        }

        var undecided = result == SKCodecResult.IncompleteInput || (result == SKCodecResult.Unimplemented && prefix.Length < SniffBytes);
        return undecided && !complete ? HeaderRead.NeedMore : HeaderRead.NotAnImage("not a decodable image");
    }

    /// <summary>
    /// Skia's codec on <paramref name="prefix"/>, one call at a time in the process. Every prefix of a
    /// JPEG header is safe alone, but many threads creating and dropping codecs over short JPEG
    /// prefixes at once crash the process in native code (SIGSEGV inside <c>sk_codec_new_from_stream</c>,
    /// with SkiaSharp 3.119), taking every image in flight with it. A header read is a few
    /// microseconds, so one at a time costs nothing a download would notice.
    /// </summary>
    private static (ImageSize? Size, SKCodecResult Result) ReadWithSkia(ReadOnlySpan<byte> prefix)
    {
        lock (SkiaGate)
        {
            using var data = SKData.CreateCopy(prefix);
            using var stream = new SKMemoryStream(data);
            using var codec = SKCodec.Create(stream, out var result);
            return codec is null ? (null, result) : (new ImageSize(codec.Info.Width, codec.Info.Height), result);
        }
    }

    /// <summary>
    /// The canvas size of a WebP file from its first chunk's header (RFC 9649, sections 2.5–2.7):
    /// <c>VP8 </c> (lossy), <c>VP8L</c> (lossless) or <c>VP8X</c> (extended, whose canvas Skia reports too).
    /// </summary>
    private static class WebpHeader
    {
        /// <summary>The bytes that hold the size of every kind of WebP file.</summary>
        public const int Length = 30;

        private const int ChunkData = 20;

        /// <summary>Whether the file says it is a WebP (<c>RIFF</c>, a length, <c>WEBP</c>).</summary>
        public static bool IsWebp(ReadOnlySpan<byte> file) =>
            file.Length >= 12 && file[..4].SequenceEqual("RIFF"u8) && file[8..12].SequenceEqual("WEBP"u8);

        public static bool TryRead(ReadOnlySpan<byte> file, out int width, out int height)
        {
            (width, height) = (0, 0);
            if (file.Length < Length || !IsWebp(file))
            {
                return false;
            }

            var chunk = file[12..16];
            var data = file[ChunkData..];
            if (chunk.SequenceEqual("VP8 "u8))
            {
                // A key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
                if ((data[0] & 1) != 0 || data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A)
                {
                    return false;
                }

                (width, height) = (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF);
                return true;
            }

            if (chunk.SequenceEqual("VP8L"u8))
            {
                // Signature 0x2F, then width − 1 and height − 1 in 14 bits each.
                if (data[0] != 0x2F)
                {
                    return false;
                }

                var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
                (width, height) = ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
                return true;
            }

            if (chunk.SequenceEqual("VP8X"u8))
            {
                // Flags and reserved bytes, then canvas width − 1 and height − 1 in 24 bits each.
                (width, height) = (ReadUInt24(data[4..]) + 1, ReadUInt24(data[7..]) + 1);
                return true;
            }

            return false;
        }

        private static int ReadUInt24(ReadOnlySpan<byte> bytes) => bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
    }
}

/// <summary>What a prefix of a body tells of the image: its size, that more bytes are needed, or that it is none.</summary>
internal readonly record struct HeaderRead(ImageSize? Size, string? Error)
{
    public static HeaderRead NeedMore => default;

    public bool IsMeasured => Size is not null;

    public bool NeedsMore => Size is null && Error is null;

    public static HeaderRead Measured(ImageSize size) => new(size, null);

    public static HeaderRead NotAnImage(string error) => new(null, error);
}
