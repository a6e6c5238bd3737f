using System.Buffers;

namespace Berth.Benchmarks;

/// <summary>Builds a multi-segment sequence, as a PipeReader hands over data that arrived in several reads.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes, int firstLength)
    {
        var head = new Segments(bytes.AsMemory(0, firstLength), 0);
        var tail = new Segments(bytes.AsMemory(firstLength), firstLength);
        head.Next = tail;
        return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
    }
}
