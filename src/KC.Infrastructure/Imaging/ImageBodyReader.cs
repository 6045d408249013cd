using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using KC.Application.Common.Telemetry;
using KC.Application.Processing;
using KC.Domain.Jobs;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Reads an image body as it arrives without ever holding it whole: the bytes of its header are
/// kept until <see cref="ImageHeaderReader"/> finds the size in them, the rest is read to its end
/// and counted, then dropped. Memory per body is a small constant whatever the image's size, and a
/// body over the limit stops being read the moment it crosses it.
/// </summary>
/// <remarks>
/// Each read first waits for data with a zero-byte read and only then borrows a buffer, so a
/// download waiting on a slow host holds no read buffer at all: thousands of downloads in flight
/// share the few buffers being filled at any moment. What a download keeps while its size is
/// unknown is its header prefix, and of a JPEG only the segments that matter
/// (<see cref="JpegMetadataFilter"/>): a few KB, even behind hundreds of KB of EXIF and XMP.
/// </remarks>
internal sealed class ImageBodyReader(long maxImageBytes, int maxHeaderBytes)
{
    /// <summary>The most one read takes.</summary>
    public const int ReadBufferBytes = 64 * 1024;

    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Shared;

    public ImageBodyReader(ImagingOptions options)
        : this(options?.MaxImageBytes ?? throw new ArgumentNullException(nameof(options)), options.MaxHeaderBytes)
    {
    }

    /// <summary>
    /// Reads <paramref name="body"/> to its end and returns the image's size and the body's length.
    /// Fails with <see cref="ImageFailureException"/> when the body is not an image, its size is not
    /// within the first <c>Processing:MaxHeaderBytes</c>, or it is over the limit; errors of the
    /// stream itself pass through.
    /// </summary>
    public async Task<(ImageSize Size, long Bytes)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var header = new HeaderPrefix(maxHeaderBytes);

        // From the body's start until its size is known; the rest of the body is only counted.
        var measure = KcTelemetry.Traces.StartActivity(KcTelemetry.MeasureSpan);
        try
        {
            long total = 0;
            ImageSize? size = null;
            while (true)
            {
                // Wait for bytes before borrowing a buffer for them.
                await body.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                var buffer = Buffers.Rent(ReadBufferBytes);
                int read;
                try
                {
                    // While the size is unknown, no further than the header bound.
                    var room = size is null ? Math.Min(ReadBufferBytes, header.RoomLeft()) : ReadBufferBytes;
                    read = await body.ReadAsync(buffer.AsMemory(0, Wanted(room, total)), cancellationToken).ConfigureAwait(false);
                    if (size is null)
                    {
                        header.Append(buffer.AsSpan(0, read));
                    }
                }
                finally
                {
                    Buffers.Return(buffer);
                }

                // Each read asks for at most one byte past the limit, enough to know it was crossed;
                // then reading stops at once and the rest of the body is never fetched.
                total += read;
                if (total > maxImageBytes)
                {
                    throw TooLarge(maxImageBytes, null);
                }

                if (size is null && header.TryMeasure(complete: read == 0) is { } measured)
                {
                    size = measured;
                    header.Release();
                    measure?.SetTag("kc.image.width", measured.Width).SetTag("kc.image.height", measured.Height).Dispose();
                    measure = null;
                }

                if (read == 0)
                {
                    return (size!.Value, total);
                }
            }
        }
        catch (ImageFailureException ex) when (measure is not null)
        {
            measure.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        finally
        {
            header.Release();
            measure?.Dispose();
        }
    }

    /// <summary>How much of <paramref name="room"/> to read after <paramref name="total"/> bytes: at most one byte past the limit.</summary>
    private int Wanted(int room, long total) => maxImageBytes - total >= room ? room : (int)(maxImageBytes - total) + 1;

    /// <summary>The failure of a body over <paramref name="limit"/>, with its declared length when there is one.</summary>
    public static ImageFailureException TooLarge(long limit, long? declared) => new(
        declared is null
            ? string.Create(CultureInfo.InvariantCulture, $"the body exceeds the limit of {limit} bytes (Processing:MaxImageBytes)")
            : string.Create(CultureInfo.InvariantCulture, $"the body of {declared} bytes exceeds the limit of {limit} bytes (Processing:MaxImageBytes)"),
        ImageFailureReason.TooLarge);

    /// <summary>
    /// The header bytes kept from the first <c>maxBytes</c> of a body, and when to look at them next:
    /// each look comes after at least twice the bytes the last one did, so a body that arrives a byte
    /// at a time costs a handful of header reads, not one per byte.
    /// </summary>
    private sealed class HeaderPrefix
    {
        private const int FirstBufferBytes = 4 * 1024;

        private readonly int _maxBytes;
        private readonly JpegMetadataFilter _jpeg = new();
        private readonly Action<ReadOnlySpan<byte>> _keep;
        private byte[]? _buffer;
        private int _length;
        private int _scanned;
        private int _nextLook = ImageHeaderReader.SniffBytes;
        private bool _lookedAtWholeHeader;

        public HeaderPrefix(int maxBytes)
        {
            _maxBytes = maxBytes;
            _keep = Keep;
        }

        /// <summary>How many more body bytes may be read for the header; fails once the bound is reached without a size.</summary>
        public int RoomLeft() => _scanned < _maxBytes
            ? _maxBytes - _scanned
            : throw new ImageFailureException(
                string.Create(CultureInfo.InvariantCulture, $"no image size within the first {_maxBytes} bytes (Processing:MaxHeaderBytes)"),
                ImageFailureReason.NotAnImage);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            _scanned += bytes.Length;
            _jpeg.Filter(bytes, _keep);
        }

        /// <summary>The size once the prefix shows it; null while more bytes are needed.</summary>
        public ImageSize? TryMeasure(bool complete)
        {
            var wholeHeader = _jpeg.HeaderComplete && !_lookedAtWholeHeader;
            if (!complete && !wholeHeader && _scanned < _nextLook && _scanned < _maxBytes)
            {
                return null;
            }

            _lookedAtWholeHeader |= _jpeg.HeaderComplete;
            var result = ImageHeaderReader.Read(_buffer.AsSpan(0, _length), complete);
            if (result.Error is { } error)
            {
                throw new ImageFailureException(error, ImageFailureReason.NotAnImage);
            }

            _nextLook = Math.Max(2 * _scanned, _scanned + 4096);
            return result.Size;
        }

        public void Release()
        {
            if (_buffer is not null)
            {
                Buffers.Return(_buffer);
                _buffer = null;
            }
        }

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            var needed = _length + bytes.Length;
            if (_buffer is null || needed > _buffer.Length)
            {
                var larger = Buffers.Rent(Math.Max(FirstBufferBytes, (int)BitOperations.RoundUpToPowerOf2((uint)needed)));
                _buffer?.AsSpan(0, _length).CopyTo(larger);
                Release();
                _buffer = larger;
            }

            bytes.CopyTo(_buffer.AsSpan(_length));
            _length = needed;
        }
    }
}
