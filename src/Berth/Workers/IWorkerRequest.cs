using System.Buffers;

namespace Berth.Workers;

/// <summary>A request as the worker connection sends it: the environ list, then a body already buffered by the edge.</summary>
public interface IWorkerRequest
{
    /// <summary>Writes the REQUEST_HEAD payload: the environ key/value list (docs/protocol.md).</summary>
    void WriteHead(IBufferWriter<byte> writer);

    long BodyLength { get; }

    /// <summary>A WebSocket handshake: the head carries <see cref="Protocol.FrameFlags.WebSocket"/>.</summary>
    bool WebSocket => false;

    /// <summary>Copies body bytes starting at <paramref name="offset"/>; returns how many.</summary>
    ValueTask<int> ReadBodyAsync(long offset, Memory<byte> destination);
}
