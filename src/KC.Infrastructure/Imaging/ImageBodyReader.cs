using System.Buffers;
using System.Globalization;
using KC.Application.Processing;
using KC.Domain.Jobs;

namespace KC.Infrastructure.Imaging;

/// <summary>
/// Reads an image body as it arrives without ever holding it whole: the first bytes are kept until
/// <see cref="ImageHeaderReader"/> finds the size in them, the rest is read to its end and counted,
/// then dropped. Memory per body is a small constant whatever the image's size, and a body over
/// the limit stops being read the moment it crosses it.
/// </summary>
/// <remarks>
/// Each read first waits for data with a zero-byte read and only then borrows a buffer, so a
/// download waiting on a slow host holds no buffer at all; thousands of downloads in flight share
/// the few buffers that are being filled at any moment.
/// </remarks>
internal sealed class ImageBodyReader(long maxImageBytes, int maxHeaderBytes)
{
    /// <summary>The most one read takes; also the first size of the header prefix.</summary>
    public const int ReadBufferBytes = 64 * 1024;

    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Shared;

    public ImageBodyReader(ProcessingOptions options)
        : this(options?.MaxImageBytes ?? throw new ArgumentNullException(nameof(options)), options.MaxHeaderBytes)
    {
    }

    /// <summary>
    /// Reads <paramref name="body"/> to its end and returns the image's size and the body's length.
    /// Fails with <see cref="ImageFailureException"/> when the body is not an image, its size is not
    /// within the header bound, or it is over the limit; errors of the stream itself pass through.
    /// </summary>
    public async Task<(ImageSize Size, long Bytes)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var header = new HeaderPrefix(maxHeaderBytes);
        try
        {
            long total = 0;
            ImageSize? size = null;
            while (true)
            {
                // Wait for bytes before borrowing a buffer for them.
                await body.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                int read;
                if (size is null)
                {
                    var free = header.Free();
                    read = await body.ReadAsync(free[..Wanted(free.Length, total)], cancellationToken).ConfigureAwait(false);
                    header.Advance(read);
                }
                else
                {
                    var buffer = Buffers.Rent(ReadBufferBytes);
                    try
                    {
                        read = await body.ReadAsync(buffer.AsMemory(0, Wanted(ReadBufferBytes, total)), cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Buffers.Return(buffer);
                    }
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
                }

                if (read == 0)
                {
                    return (size!.Value, total);
                }
            }
        }
        finally
        {
            header.Release();
        }
    }

    /// <summary>How much of <paramref name="room"/> to read after <paramref name="total"/> bytes: at most one byte past the limit.</summary>
    private int Wanted(int room, long total) => maxImageBytes - total >= room ? room : (int)(maxImageBytes - total) + 1;

    /// <summary>The failure of a body over <paramref name="limit"/>, with its declared length when there is one.</summary>
    public static ImageFailureException TooLarge(long limit, long? declared) => new(declared is null
        ? string.Create(CultureInfo.InvariantCulture, $"the body exceeds the limit of {limit} bytes (Processing:MaxImageBytes)")
        : string.Create(CultureInfo.InvariantCulture, $"the body of {declared} bytes exceeds the limit of {limit} bytes (Processing:MaxImageBytes)"));

    /// <summary>
    /// The first bytes of a body, grown by doubling up to the header bound, and when to look at them
    /// next: each look at least doubles what the last one saw, so a body that arrives a byte at a
    /// time costs a handful of header reads, not one per byte.
    /// </summary>
    private sealed class HeaderPrefix(int maxBytes)
    {
        private byte[]? _buffer;
        private int _length;
        private int _nextLook = ImageHeaderReader.SniffBytes;

        public Memory<byte> Free()
        {
            if (_buffer is null)
            {
                _buffer = Buffers.Rent(Math.Min(ReadBufferBytes, maxBytes));
            }
            else if (_length == _buffer.Length)
            {
                if (_length >= maxBytes)
                {
                    throw new ImageFailureException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"no image size within the first {maxBytes} bytes (Processing:MaxHeaderBytes)"));
                }

                var larger = Buffers.Rent((int)Math.Min(2L * _buffer.Length, maxBytes));
                _buffer.AsSpan(0, _length).CopyTo(larger);
                Buffers.Return(_buffer);
                _buffer = larger;
            }

            // Never past the bound, whatever size the pool handed out.
            return _buffer.AsMemory(_length, Math.Min(_buffer.Length, maxBytes) - _length);
        }

        public void Advance(int read) => _length += read;

        /// <summary>The size once the prefix shows it; null while more bytes are needed.</summary>
        public ImageSize? TryMeasure(bool complete)
        {
            var full = _buffer is not null && _length == Math.Min(_buffer.Length, maxBytes);
            if (!complete && !full && _length < _nextLook)
            {
                return null;
            }

            var result = ImageHeaderReader.Read(_buffer.AsSpan(0, _length), complete);
            if (result.Error is { } error)
            {
                throw new ImageFailureException(error);
            }

            _nextLook = Math.Max(2 * _length, _length + 4096);
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
    }
}
