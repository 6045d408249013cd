using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using BitMiracle.LibJpeg.Classic;
using SkiaSharp;

namespace KC.TestSupport;

/// <summary>
/// Images that look like phone photos of shelves to an encoder: rows of products under uneven
/// light, label print and sensor grain, so they compress as photos do (an 8 MP JPEG of about
/// 3 MB) rather than as flat drawings. The same arguments always give the same bytes.
/// </summary>
/// <remarks>
/// JPEGs come from LibJpeg.NET, which can write progressive files (Skia cannot); PNG and WebP
/// from Skia. Encoding an 8 MP JPEG takes a few seconds: generate once and keep the bytes.
/// </remarks>
public static class TestPhotos
{
    /// <summary>The least <c>metadataBytes</c> that holds an EXIF and an XMP segment.</summary>
    public const int MinMetadataBytes = 4_096;

    // A phone's "high" setting; with the grain below it gives about 2.9 MB for 8 MP.
    private const int JpegQuality = 92;
    private const int WebpQuality = 90;

    // Marker and length field of a segment, and the most its length field can count besides itself.
    private const int SegmentHeaderBytes = 4;
    private const int MaxSegmentPayload = 65_533;
    private const int MaxSegmentBytes = SegmentHeaderBytes + MaxSegmentPayload;

    /// <summary>
    /// A baseline (SOF0) or, with <paramref name="progressive"/>, a progressive (SOF2) JPEG. With
    /// <paramref name="metadataBytes"/> above zero, exactly that many bytes of APP1 segments follow
    /// the SOI, as a phone writes them: EXIF first, then XMP (extended XMP for what one segment
    /// cannot hold), so the size marker sits behind them.
    /// </summary>
    public static byte[] Jpeg(int width, int height, bool progressive = false, int metadataBytes = 0, int seed = 0)
    {
        CheckSize(width, height, ushort.MaxValue);
        if (metadataBytes != 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(metadataBytes, MinMetadataBytes);
        }

        var scene = new ShelfScene(width, height, seed);
        var segments = metadataBytes > 0 ? Metadata.Segments(metadataBytes, width, height, seed) : [];
        using var output = new MemoryStream(width * height / 2);
        var jpeg = new jpeg_compress_struct(new jpeg_error_mgr());
        try
        {
            jpeg.jpeg_stdio_dest(output);
            jpeg.Image_width = width;
            jpeg.Image_height = height;
            jpeg.Input_components = 3;
            jpeg.In_color_space = J_COLOR_SPACE.JCS_RGB;
            jpeg.jpeg_set_defaults();
            jpeg.jpeg_set_quality(JpegQuality, force_baseline: true);
            if (progressive)
            {
                jpeg.jpeg_simple_progression();
            }

            // A phone's file opens with its EXIF segment; the JFIF one would stand before it.
            jpeg.Write_JFIF_header = segments.Count == 0;
            jpeg.jpeg_start_compress(write_all_tables: true);
            foreach (var segment in segments)
            {
                jpeg.jpeg_write_marker((int)JPEG_MARKER.APP1, segment);
            }

            var row = new byte[width * 3];
            var rows = new[] { row };
            for (var y = 0; y < height; y++)
            {
                scene.FillRow(y, row, channels: 3);
                jpeg.jpeg_write_scanlines(rows, 1);
            }

            jpeg.jpeg_finish_compress();
        }
        finally
        {
            jpeg.jpeg_destroy();
        }

        return output.ToArray();
    }

    /// <summary>A 24-bit PNG of the same kind of scene; the grain makes it about 2 bytes a pixel.</summary>
    public static byte[] Png(int width, int height, int seed = 0)
    {
        CheckSize(width, height, ushort.MaxValue);
        var scene = new ShelfScene(width, height, seed);
        return EncodeWithSkia(width, height, scene.FillRow, pixmap =>
            pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 6)));
    }

    /// <summary>A lossy WebP of the same kind of scene, at the quality a phone gallery exports.</summary>
    public static byte[] Webp(int width, int height, int seed = 0)
    {
        CheckSize(width, height, 16_383);
        var scene = new ShelfScene(width, height, seed);
        return EncodeWithSkia(width, height, scene.FillRow, pixmap =>
            pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, WebpQuality)));
    }

    /// <summary>
    /// A 24-bit PNG of pure noise, which no encoder can shrink: its file is 3 bytes a pixel plus a
    /// few hundred, so a body of a chosen size (say just under an image limit) is easy to hit.
    /// </summary>
    public static byte[] NoisePng(int width, int height, int seed = 0)
    {
        CheckSize(width, height, ushort.MaxValue);
        return EncodeWithSkia(width, height, (y, row, channels) =>
        {
            var random = new RowRandom(seed, y);
            for (var x = 0; x < row.Length; x += channels)
            {
                var bits = random.Next();
                row[x] = (byte)bits;
                row[x + 1] = (byte)(bits >> 8);
                row[x + 2] = (byte)(bits >> 16);
                row[x + 3] = 0xFF;
            }
        },
        // Deflate cannot gain on noise; its fastest level spends the least time finding that out.
        pixmap => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.NoFilters, zLibLevel: 1)));
    }

    private delegate void RowFiller(int y, Span<byte> row, int channels);

    private static byte[] EncodeWithSkia(int width, int height, RowFiller fill, Func<SKPixmap, SKData?> encode)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var pixmap = bitmap.PeekPixels();
        var pixels = pixmap.GetPixelSpan();
        var rowBytes = pixmap.RowBytes;
        for (var y = 0; y < height; y++)
        {
            fill(y, pixels.Slice(y * rowBytes, width * 4), channels: 4);
        }

        using var data = encode(pixmap) ?? throw new InvalidOperationException($"Skia could not encode a {width}x{height} image.");
        return data.ToArray();
    }

    private static void CheckSize(int width, int height, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, max);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, max);
    }

    /// <summary>
    /// xorshift64* seeded per row (through SplitMix64), so any row can be drawn on its own and the
    /// result depends only on the seed and the row.
    /// </summary>
    private struct RowRandom
    {
        private ulong _state;

        public RowRandom(int seed, int row)
        {
            var z = ((ulong)(uint)seed << 32 | (uint)row) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            _state = (z ^ (z >> 31)) | 1;
        }

        public ulong Next()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }
    }

    /// <summary>
    /// Shelves of products seen from an aisle: each shelf a dark edge, then products of random
    /// widths and colours with a printed label, lit brighter in the middle than at the edges, all
    /// under sensor grain. The layout is worked out once; a row is then a few integer operations a pixel.
    /// </summary>
    private sealed class ShelfScene
    {
        private const int Shelves = 5;

        // Grain of ±GrainAmplitude (triangular) on the luminance and a third of it per channel:
        // what decides the file size, like the noise of a phone's small sensor does.
        private const int GrainAmplitude = 16;

        private readonly int _width;
        private readonly int _seed;
        private readonly int _shelfHeight;
        private readonly int _edgeHeight;
        private readonly int[][] _colour; // per shelf and column: 0xRRGGBB of the product there, or -1 in a gap
        private readonly short[][] _labelTop; // per shelf and column: the label's first row within the shelf
        private readonly short[][] _labelBottom;
        private readonly byte[] _columnLight;
        private readonly byte[] _rowLight;

        public ShelfScene(int width, int height, int seed)
        {
            _width = width;
            _seed = seed;
            _shelfHeight = Math.Max(1, (height + Shelves - 1) / Shelves);
            _edgeHeight = Math.Max(1, _shelfHeight / 12);
            _colour = new int[Shelves][];
            _labelTop = new short[Shelves][];
            _labelBottom = new short[Shelves][];
            for (var shelf = 0; shelf < Shelves; shelf++)
            {
                LayOutShelf(shelf);
            }

            // The light falls off towards the sides and the bottom, as under a ceiling lamp.
            _columnLight = new byte[width];
            for (var x = 0; x < width; x++)
            {
                var d = (2.0 * x / Math.Max(1, width - 1)) - 1;
                _columnLight[x] = (byte)(255 * (1 - (0.35 * d * d)));
            }

            _rowLight = new byte[height];
            for (var y = 0; y < height; y++)
            {
                _rowLight[y] = (byte)(255 * (1 - (0.25 * y / Math.Max(1, height))));
            }
        }

        public void FillRow(int y, Span<byte> row, int channels)
        {
            var shelf = Math.Min(Shelves - 1, y / _shelfHeight);
            var within = y - (shelf * _shelfHeight);
            var colours = _colour[shelf];
            var labelTop = _labelTop[shelf];
            var labelBottom = _labelBottom[shelf];
            var rowLight = _rowLight[y];
            var random = new RowRandom(_seed, y);
            var onEdge = within < _edgeHeight;
            var glyphRow = (within >> 2) * 0x2C1B3C6D;

            for (int x = 0, i = 0; x < _width; x++, i += channels)
            {
                int r, g, b;
                var colour = colours[x];
                if (onEdge)
                {
                    // The shelf's metal lip: grey with a highlight along its top.
                    r = g = b = 150 - (within * 60 / _edgeHeight);
                }
                else if (colour < 0)
                {
                    r = 40;
                    g = 36;
                    b = 34; // the shadow between two products
                }
                else if (within >= labelTop[x] && within < labelBottom[x])
                {
                    // Label print: dark glyph strokes on a light ground, about one cell in five.
                    var cell = unchecked((uint)((x >> 2) * 0x27D4EB2D) ^ (uint)glyphRow);
                    var ink = ((cell * 0x9E3779B1) >> 29) == 0;
                    r = ink ? 30 : 235;
                    g = ink ? 30 : 232;
                    b = ink ? 35 : 220;
                }
                else
                {
                    r = (colour >> 16) & 0xFF;
                    g = (colour >> 8) & 0xFF;
                    b = colour & 0xFF;
                }

                var light = _columnLight[x] * rowLight;
                var bits = random.Next();
                var grain = ((int)(bits & 0xFF) + (int)((bits >> 8) & 0xFF) - 255) * GrainAmplitude / 255;
                row[i] = Clamp((r * light >> 16) + grain + Chroma(bits >> 16));
                row[i + 1] = Clamp((g * light >> 16) + grain + Chroma(bits >> 24));
                row[i + 2] = Clamp((b * light >> 16) + grain + Chroma(bits >> 32));
                if (channels == 4)
                {
                    row[i + 3] = 0xFF;
                }
            }
        }

        /// <summary>A product is round or boxed: darker towards its sides than in the middle.</summary>
        private static int Shade(int colour, int x, int width)
        {
            var d = (2.0 * x / Math.Max(1, width - 1)) - 1;
            var factor = 1 - (0.3 * d * d);
            var r = (int)(((colour >> 16) & 0xFF) * factor);
            var g = (int)(((colour >> 8) & 0xFF) * factor);
            var b = (int)((colour & 0xFF) * factor);
            return (r << 16) | (g << 8) | b;
        }

        private static int Chroma(ulong bits) => ((int)(bits & 0xFF) - 128) * (GrainAmplitude / 3) / 128;

        private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

        private void LayOutShelf(int shelf)
        {
            var colours = _colour[shelf] = new int[_width];
            var tops = _labelTop[shelf] = new short[_width];
            var bottoms = _labelBottom[shelf] = new short[_width];
            var random = new RowRandom(_seed ^ 0x5EED, -1 - shelf);
            var productHeight = _shelfHeight - _edgeHeight;
            var x = 0;
            while (x < _width)
            {
                var bits = random.Next();
                var productWidth = Math.Max(2, (_width / 40) + (int)((bits & 0xFFFF) % (uint)Math.Max(1, _width / 14)));
                var gap = Math.Max(1, productWidth / 12);
                var colour = (int)((bits >> 16) & 0xFFFFFF);
                var start = x;
                var labelTop = _edgeHeight + (productHeight * (40 + (int)((bits >> 40) % 25)) / 100);
                var labelBottom = labelTop + (productHeight * (12 + (int)((bits >> 48) % 15)) / 100);
                var end = Math.Min(_width, x + productWidth);
                for (; x < end; x++)
                {
                    var inGap = end - x <= gap && end < _width;
                    colours[x] = inGap ? -1 : Shade(colour, x - start, end - start);
                    tops[x] = (short)Math.Min(short.MaxValue, labelTop);
                    bottoms[x] = (short)Math.Min(short.MaxValue, labelBottom);
                }
            }
        }
    }

    /// <summary>
    /// APP1 segments as a phone writes them: an EXIF segment (a real TIFF structure whose maker
    /// note takes up the space asked for), a standard XMP packet, and when more is asked than that
    /// holds, extended XMP (a depth map, as Android cameras store one) split over further segments.
    /// </summary>
    private static class Metadata
    {
        private const string ExifSignature = "Exif\0\0";
        private const string XmpSignature = "http://ns.adobe.com/xap/1.0/\0";
        private const string ExtendedXmpSignature = "http://ns.adobe.com/xmp/extension/\0";

        // Signature, the 32-character GUID, the full length and this chunk's offset.
        private const int ExtendedChunkOverhead = 35 + 32 + 4 + 4;

        // Large enough for the standard packet that points at the extended one.
        private const int MainXmpSegmentBytes = 2_048;

        /// <summary>Payloads (what follows each segment's length field) adding up, with their headers, to <paramref name="totalBytes"/>.</summary>
        public static List<byte[]> Segments(int totalBytes, int width, int height, int seed)
        {
            var exifBytes = Math.Min(MaxSegmentBytes, totalBytes / 2);
            var xmpBytes = totalBytes - exifBytes;
            var segments = new List<byte[]> { Exif(exifBytes - SegmentHeaderBytes, width, height, seed) };
            if (xmpBytes <= MaxSegmentBytes)
            {
                segments.Add(Xmp(xmpBytes - SegmentHeaderBytes, seed, extendedGuid: null));
                return segments;
            }

            var extendedBytes = xmpBytes - MainXmpSegmentBytes;
            var chunks = (extendedBytes + MaxSegmentBytes - 1) / MaxSegmentBytes;
            var extended = ExtendedXmp(extendedBytes - (chunks * (SegmentHeaderBytes + ExtendedChunkOverhead)), seed);
            var guid = Convert.ToHexString(Md5(extended));
            segments.Add(Xmp(MainXmpSegmentBytes - SegmentHeaderBytes, seed, guid));
            var offset = 0;
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var length = (extended.Length - offset) / (chunks - chunk);
                var payload = new byte[ExtendedChunkOverhead + length];
                var written = Encoding.ASCII.GetBytes(ExtendedXmpSignature + guid, payload);
                BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(written), extended.Length);
                BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(written + 4), offset);
                extended.AsSpan(offset, length).CopyTo(payload.AsSpan(ExtendedChunkOverhead));
                segments.Add(payload);
                offset += length;
            }

            return segments;
        }

        // The XMP specification names MD5 for this GUID; it identifies content, it protects nothing.
#pragma warning disable CA5351
        private static byte[] Md5(byte[] data) => MD5.HashData(data);
#pragma warning restore CA5351

        /// <summary>"Exif\0\0" and a big-endian TIFF: IFD0 (camera, time, a pointer) and the EXIF IFD, whose maker note pads to <paramref name="payloadBytes"/>.</summary>
        private static byte[] Exif(int payloadBytes, int width, int height, int seed)
        {
            var time = Time(seed).ToString("yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture) + "\0";
            var ifd0 = new List<IfdEntry>
            {
                IfdEntry.Ascii(0x010F, "KC Test Phones\0"), // Make
                IfdEntry.Ascii(0x0110, "Shelf Camera 12\0"), // Model
                IfdEntry.Short(0x0112, 1), // Orientation: top left
                IfdEntry.Ascii(0x0131, "TestPhotos 1.0\0"), // Software
                IfdEntry.Ascii(0x0132, time), // DateTime
                IfdEntry.Long(0x8769, 0), // ExifIFDPointer, filled in below
            };
            var exifIfd = new List<IfdEntry>
            {
                IfdEntry.Rational(0x829A, 1, 120), // ExposureTime
                IfdEntry.Rational(0x829D, 18, 10), // FNumber
                IfdEntry.Short(0x8827, 200), // ISO
                IfdEntry.Ascii(0x9003, time), // DateTimeOriginal
                IfdEntry.Undefined(0x927C, []), // MakerNote: the padding, sized below
                IfdEntry.Long(0xA002, (uint)width), // PixelXDimension
                IfdEntry.Long(0xA003, (uint)height), // PixelYDimension
            };

            const int TiffHeaderBytes = 8;
            var exifIfdOffset = TiffHeaderBytes + IfdEntry.Size(ifd0);
            var fixedBytes = ExifSignature.Length + exifIfdOffset + IfdEntry.Size(exifIfd);
            var makerNote = new byte[payloadBytes - fixedBytes];
            if (makerNote.Length <= 4)
            {
                throw new ArgumentOutOfRangeException(nameof(payloadBytes), payloadBytes, "too small for an EXIF segment");
            }

            Fill(makerNote, seed);
            ifd0[^1] = IfdEntry.Long(0x8769, (uint)exifIfdOffset);
            exifIfd[4] = IfdEntry.Undefined(0x927C, makerNote);

            var payload = new byte[payloadBytes];
            Encoding.ASCII.GetBytes(ExifSignature, payload);
            var tiff = payload.AsSpan(ExifSignature.Length);
            tiff[0] = (byte)'M';
            tiff[1] = (byte)'M';
            BinaryPrimitives.WriteUInt16BigEndian(tiff[2..], 42);
            BinaryPrimitives.WriteUInt32BigEndian(tiff[4..], TiffHeaderBytes);
            var end = IfdEntry.Write(tiff, TiffHeaderBytes, ifd0);
            end = IfdEntry.Write(tiff, end, exifIfd);
            return end == tiff.Length ? payload : throw new InvalidOperationException("EXIF layout was miscalculated.");
        }

        /// <summary>The standard XMP packet, padded with whitespace to <paramref name="payloadBytes"/> as the packet format allows.</summary>
        private static byte[] Xmp(int payloadBytes, int seed, string? extendedGuid)
        {
            var time = Time(seed).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
            var extendedNote = extendedGuid is null
                ? ""
                : $"\n    xmlns:xmpNote=\"http://ns.adobe.com/xmp/note/\" xmpNote:HasExtendedXMP=\"{extendedGuid}\"";
            var head = XmpSignature
                + "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"TestPhotos 1.0\">\n"
                + " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                + "  <rdf:Description rdf:about=\"\"\n"
                + "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:CreatorTool=\"Shelf Camera 12\""
                + $" xmp:CreateDate=\"{time}\" xmp:ModifyDate=\"{time}\""
                + extendedNote
                + "/>\n </rdf:RDF>\n</x:xmpmeta>\n";
            const string Tail = "<?xpacket end=\"w\"?>";
            return Padded(head, Tail, payloadBytes, "segment");
        }

        /// <summary>An extended XMP packet of exactly <paramref name="bytes"/> bytes: a depth map's description and its base64 data.</summary>
        private static byte[] ExtendedXmp(int bytes, int seed)
        {
            const string Head = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"TestPhotos 1.0\">\n"
                + " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                + "  <rdf:Description rdf:about=\"\" xmlns:GDepth=\"http://ns.google.com/photos/1.0/depthmap/\"\n"
                + "    GDepth:Format=\"RangeInverse\" GDepth:Near=\"0.25\" GDepth:Far=\"4.5\" GDepth:Mime=\"image/jpeg\"\n"
                + "    GDepth:Data=\"";
            const string Tail = "\"/>\n </rdf:RDF>\n</x:xmpmeta>\n";
            var room = bytes - Head.Length - Tail.Length;
            if (room < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "too small for an extended XMP packet");
            }

            var depth = new byte[room / 4 * 3];
            Fill(depth, seed + 1);
            var data = Convert.ToBase64String(depth);
            return Padded(Head + data, Tail, bytes, "packet");
        }

        /// <summary><paramref name="head"/>, spaces (a newline every 100), <paramref name="tail"/>: exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
        private static byte[] Padded(string head, string tail, int bytes, string what)
        {
            var headBytes = Encoding.UTF8.GetBytes(head);
            var tailBytes = Encoding.ASCII.GetBytes(tail);
            var padding = bytes - headBytes.Length - tailBytes.Length;
            if (padding < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"too small for an XMP {what}");
            }

            var result = new byte[bytes];
            headBytes.CopyTo(result, 0);
            var pad = result.AsSpan(headBytes.Length, padding);
            pad.Fill((byte)' ');
            for (var i = 99; i < pad.Length; i += 100)
            {
                pad[i] = (byte)'\n';
            }

            tailBytes.CopyTo(result, headBytes.Length + padding);
            return result;
        }

        private static DateTime Time(int seed) =>
            new DateTime(2025, 3, 11, 8, 0, 0, DateTimeKind.Unspecified).AddSeconds((uint)seed % 86_400);

        private static void Fill(byte[] bytes, int seed)
        {
            var random = new RowRandom(seed, int.MinValue);
            var words = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan(0, bytes.Length & ~7));
            for (var i = 0; i < words.Length; i++)
            {
                words[i] = random.Next();
            }

            for (var i = bytes.Length & ~7; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.Next();
            }
        }
    }

    /// <summary>One TIFF directory entry; values of more than four bytes live after the directory.</summary>
    private readonly record struct IfdEntry(ushort Tag, ushort Type, uint Count, byte[] Value)
    {
        private const ushort AsciiType = 2;
        private const ushort ShortType = 3;
        private const ushort LongType = 4;
        private const ushort RationalType = 5;
        private const ushort UndefinedType = 7;

        public static IfdEntry Ascii(ushort tag, string text) => new(tag, AsciiType, (uint)text.Length, Encoding.ASCII.GetBytes(text));

        public static IfdEntry Short(ushort tag, ushort value)
        {
            var bytes = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
            return new(tag, ShortType, 1, bytes);
        }

        public static IfdEntry Long(ushort tag, uint value)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            return new(tag, LongType, 1, bytes);
        }

        public static IfdEntry Rational(ushort tag, uint numerator, uint denominator)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, numerator);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), denominator);
            return new(tag, RationalType, 1, bytes);
        }

        public static IfdEntry Undefined(ushort tag, byte[] bytes) => new(tag, UndefinedType, (uint)bytes.Length, bytes);

        /// <summary>Bytes of a directory and its out-of-line values, each of which starts on an even offset.</summary>
        public static int Size(List<IfdEntry> entries)
        {
            var size = 2 + (12 * entries.Count) + 4;
            var last = LastOutOfLine(entries);
            for (var i = 0; i <= last; i++)
            {
                var length = entries[i].Value.Length;
                if (length > 4)
                {
                    size += i == last || length % 2 == 0 ? length : length + 1;
                }
            }

            return size;
        }

        /// <summary>Writes the directory at <paramref name="offset"/> (no next directory) and its values after it; returns where it ends.</summary>
        public static int Write(Span<byte> tiff, int offset, List<IfdEntry> entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(tiff[offset..], (ushort)entries.Count);
            var values = offset + 2 + (12 * entries.Count) + 4;
            var last = LastOutOfLine(entries);
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var at = tiff[(offset + 2 + (12 * i))..];
                BinaryPrimitives.WriteUInt16BigEndian(at, entry.Tag);
                BinaryPrimitives.WriteUInt16BigEndian(at[2..], entry.Type);
                BinaryPrimitives.WriteUInt32BigEndian(at[4..], entry.Count);
                if (entry.Value.Length <= 4)
                {
                    entry.Value.CopyTo(at[8..]); // inline, left-justified
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(at[8..], (uint)values);
                    entry.Value.CopyTo(tiff[values..]);
                    values += entry.Value.Length;
                    if (i < last && values % 2 == 1)
                    {
                        values++;
                    }
                }
            }

            BinaryPrimitives.WriteUInt32BigEndian(tiff[(offset + 2 + (12 * entries.Count))..], 0);
            return values;
        }

        // Nothing follows the last value, so it needs no padding byte after it.
        private static int LastOutOfLine(List<IfdEntry> entries) => entries.FindLastIndex(e => e.Value.Length > 4);
    }
}
