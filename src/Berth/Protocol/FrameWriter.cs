using System.Buffers;

namespace Berth.Protocol;

/// <summary>Writes frames into a buffer; the caller sends the buffer with one syscall.</summary>
public static class FrameWriter
{
    public static void Write(IBufferWriter<byte> writer, FrameType type, FrameFlags flags, uint requestId, ReadOnlySpan<byte> payload)
    {
        Span<byte> span = writer.GetSpan(FrameHeader.Size + payload.Length);
        new FrameHeader(type, flags, requestId, payload.Length).Write(span);
        payload.CopyTo(span[FrameHeader.Size..]);
        writer.Advance(FrameHeader.Size + payload.Length);
    }

    /// <summary>Reserves a header in <paramref name="writer"/>; fill the payload after it, then call <see cref="EndFrame"/>.</summary>
    public static FrameMark BeginFrame(ArrayBufferWriter<byte> writer)
    {
        int start = writer.WrittenCount;
        writer.GetSpan(FrameHeader.Size);
        writer.Advance(FrameHeader.Size);
        return new FrameMark(start);
    }

    public static void EndFrame(ArrayBufferWriter<byte> writer, FrameMark mark, FrameType type, FrameFlags flags, uint requestId)
    {
        int length = writer.WrittenCount - mark.Start - FrameHeader.Size;
        Span<byte> header = System.Runtime.InteropServices.MemoryMarshal.AsMemory(writer.WrittenMemory).Span.Slice(mark.Start, FrameHeader.Size);
        new FrameHeader(type, flags, requestId, length).Write(header);
    }
}

/// <summary>Where a frame began in a buffer being written.</summary>
public readonly record struct FrameMark(int Start);
