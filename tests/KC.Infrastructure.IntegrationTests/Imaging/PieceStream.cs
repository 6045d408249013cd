namespace KC.Infrastructure.IntegrationTests.Imaging;

/// <summary>
/// A body that arrives in pieces of at most <c>pieceBytes</c>, the way a socket hands over bytes,
/// and remembers how much of it was asked for, so a test can tell whether a reader stopped early.
/// </summary>
internal sealed class PieceStream(byte[] body, int pieceBytes) : Stream
{
    private int _position;

    /// <summary>Bytes handed out so far.</summary>
    public int BytesRead => _position;

    /// <summary>Reads that asked for at least one byte.</summary>
    public int Reads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        Reads++;
        var count = Math.Min(Math.Min(buffer.Length, pieceBytes), body.Length - _position);
        body.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
