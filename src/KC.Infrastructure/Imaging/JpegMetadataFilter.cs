namespace KC.Infrastructure.Imaging;

/// <summary>
/// Picks, from a body as it arrives, the bytes of a JPEG header worth keeping for the codec: the
/// SOI, the tables, the frame header (which holds the size) and the first scan header. The metadata
/// segments a phone writes before them — EXIF with its thumbnail, XMP, ICC profiles, multi-picture
/// indexes, hundreds of KB in all — are skipped as they stream past, so the prefix a download holds
/// while its size is unknown stays a few KB whatever the camera wrote. Anything that is not a JPEG
/// passes through whole, and so does a JPEG whose segments stop making sense: the codec decides.
/// </summary>
/// <remarks>
/// Segments are <c>FF</c>, a marker code, a two-byte big-endian length that counts itself, then the
/// payload. APP0–APP15 (except APP14, Adobe's colour transform) and COM carry no part of the size.
/// After the first SOS segment come the entropy-coded scans, which no header read needs.
/// </remarks>
internal sealed class JpegMetadataFilter
{
    private const byte Prefix = 0xFF;
    private const byte StartOfImage = 0xD8;
    private const byte StartOfScan = 0xDA;
    private const byte Adobe = 0xEE;
    private const byte Comment = 0xFE;

    private Phase _phase = Phase.Signature;
    private byte _code;
    private byte _lengthHigh;
    private int _remaining;
    private bool _keepSegment;

    private enum Phase
    {
        Signature,
        SignatureSecond,
        Marker,
        Code,
        LengthHigh,
        LengthLow,
        Payload,
        PassThrough,
        Done,
    }

    /// <summary>True once the first scan header has been kept: the codec has all it can use.</summary>
    public bool HeaderComplete => _phase == Phase.Done;

    /// <summary>Hands every byte of <paramref name="input"/> worth keeping to <paramref name="keep"/>, in order.</summary>
    public void Filter(ReadOnlySpan<byte> input, Action<ReadOnlySpan<byte>> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var i = 0;
        while (i < input.Length)
        {
            switch (_phase)
            {
                case Phase.PassThrough:
                    keep(input[i..]);
                    return;

                case Phase.Done:
                    return;

                case Phase.Signature:
                    _phase = input[i] == Prefix ? Phase.SignatureSecond : Phase.PassThrough;
                    if (_phase == Phase.SignatureSecond)
                    {
                        keep(input.Slice(i++, 1));
                    }

                    break;

                case Phase.SignatureSecond:
                    _phase = input[i] == StartOfImage ? Phase.Marker : Phase.PassThrough;
                    if (_phase == Phase.Marker)
                    {
                        keep(input.Slice(i++, 1));
                    }

                    break;

                case Phase.Marker:
                    // A segment must start here; anything else is for the codec to judge.
                    _phase = input[i] == Prefix ? Phase.Code : Phase.PassThrough;
                    if (_phase == Phase.Code)
                    {
                        i++;
                    }

                    break;

                case Phase.Code:
                    i += ReadCode(input[i], keep);
                    break;

                case Phase.LengthHigh:
                    _lengthHigh = input[i++];
                    _phase = Phase.LengthLow;
                    break;

                case Phase.LengthLow:
                    i += ReadLength(input[i], keep);
                    break;

                case Phase.Payload:
                    var take = Math.Min(_remaining, input.Length - i);
                    if (_keepSegment)
                    {
                        keep(input.Slice(i, take));
                    }

                    i += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _phase = _code == StartOfScan ? Phase.Done : Phase.Marker;
                    }

                    break;
            }
        }
    }

    private int ReadCode(byte code, Action<ReadOnlySpan<byte>> keep)
    {
        if (code == Prefix)
        {
            // A fill byte before the real code.
            return 1;
        }

        _code = code;
        if (code is 0x01 or (>= 0xD0 and <= 0xD9))
        {
            // A marker without a length (TEM, RSTn, SOI, EOI): keep it and read on.
            keep([Prefix, code]);
            _phase = code == 0xD9 ? Phase.PassThrough : Phase.Marker;
            return 1;
        }

        _keepSegment = !(code is >= 0xE0 and <= 0xEF and not Adobe || code == Comment);
        _phase = Phase.LengthHigh;
        return 1;
    }

    private int ReadLength(byte low, Action<ReadOnlySpan<byte>> keep)
    {
        var length = (_lengthHigh << 8) | low;
        if (length < 2)
        {
            // Not a JPEG the codec will read; let it say so.
            keep([Prefix, _code, _lengthHigh, low]);
            _phase = Phase.PassThrough;
            return 1;
        }

        if (_keepSegment)
        {
            keep([Prefix, _code, _lengthHigh, low]);
        }

        _remaining = length - 2;
        _phase = _remaining > 0 ? Phase.Payload : (_code == StartOfScan ? Phase.Done : Phase.Marker);
        return 1;
    }
}
