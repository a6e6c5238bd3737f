using System.Buffers;
using System.Buffers.Binary;

namespace Berth.Protocol;

/// <summary>
/// The fixed 12-byte header in front of every frame (docs/protocol.md):
/// <code>
///  0       1       2       3       4       5       6       7       8       9      10      11
/// +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
/// | type  | flags |   reserved    |        request id (u32)       |      payload length (u32)     |
/// +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
/// </code>
/// Big-endian, so the Python side reads it with <c>struct.unpack('!BBHII', ...)</c>.
/// </summary>
public readonly record struct FrameHeader(FrameType Type, FrameFlags Flags, uint RequestId, int Length)
{
    public const int Size = 12;

    /// <summary>Bodies are sent in chunks well below this; a larger length means a corrupt stream.</summary>
    public const int MaxPayload = 16 * 1024 * 1024;

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)Type;
        destination[1] = (byte)Flags;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], RequestId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)Length);
    }

    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        uint length = BinaryPrimitives.ReadUInt32BigEndian(source[8..]);
        if (length > MaxPayload)
        {
            ProtocolException.Throw($"frame payload of {length} bytes exceeds the {MaxPayload}-byte limit; the worker stream is corrupt");
        }

        return new FrameHeader((FrameType)source[0], (FrameFlags)source[1], BinaryPrimitives.ReadUInt32BigEndian(source[4..]), (int)length);
    }

    /// <summary>Takes one whole frame off the front of <paramref name="buffer"/>, if it holds one.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        if (buffer.Length < Size)
        {
            header = default;
            payload = default;
            return false;
        }

        Span<byte> scratch = stackalloc byte[Size];
        ReadOnlySequence<byte> headBytes = buffer.Slice(0, Size);
        if (headBytes.IsSingleSegment)
        {
            header = Read(headBytes.FirstSpan);
        }
        else
        {
            headBytes.CopyTo(scratch);
            header = Read(scratch);
        }

        if (buffer.Length < Size + header.Length)
        {
            payload = default;
            return false;
        }

        payload = buffer.Slice(Size, header.Length);
        buffer = buffer.Slice(Size + header.Length);
        return true;
    }
}
