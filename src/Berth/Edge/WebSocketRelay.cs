using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Berth.Protocol;
using Berth.Workers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Berth.Edge;

/// <summary>
/// Carries one WebSocket between the client (Kestrel's <see cref="WebSocket"/>) and an ASGI worker
/// (WEBSOCKET_ACCEPT, WEBSOCKET_MESSAGE and WEBSOCKET_CLOSE frames, docs/protocol.md). Messages
/// travel whole: the edge reassembles fragments, so the app sees one websocket.receive per message.
/// </summary>
internal static class WebSocketRelay
{
    // A message is one frame, and a frame's payload is at most MaxPayload (16 MiB); 1009 is RFC 6455's "message too big".
    private const int MaxMessage = FrameHeader.MaxPayload;

    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(HttpContext context, Exchange exchange, WorkerConnection connection, RequestRecord record)
    {
        PipeReader frames = exchange.Response;
        uint requestId = exchange.RequestId;
        WebSocket? socket = null;
        Task? fromClient = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            while (true)
            {
                ReadResult result = await frames.ReadAsync(context.RequestAborted);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (FrameHeader.TryReadFrame(ref buffer, out FrameHeader header, out ReadOnlySequence<byte> payload))
                {
                    switch (header.Type)
                    {
                        case FrameType.WebSocketAccept when socket is null:
                            socket = await AcceptAsync(context, payload);
                            fromClient = FromClientAsync(socket, connection, requestId, stop.Token);
                            break;
                        case FrameType.WebSocketMessage when socket is not null:
                            record.BytesSent += payload.Length;
                            await socket.SendAsync(payload.IsSingleSegment ? payload.First : payload.ToArray(), (header.Flags & FrameFlags.Text) != 0 ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, context.RequestAborted);
                            break;
                        case FrameType.WebSocketClose when socket is null:
                            // Closed before accept: RFC 6455 §4.2.2 lets the server refuse the handshake with an HTTP status; the ASGI spec says 403.
                            await ErrorPages.WriteAsync(context, 403, "Forbidden", "The application refused this WebSocket connection.");
                            break;
                        case FrameType.WebSocketClose:
                            (WebSocketCloseStatus status, string? reason) = ReadClose(payload);
                            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                            {
                                await socket.CloseOutputAsync(status, reason, context.RequestAborted);
                            }

                            break;
                        case FrameType.ResponseEnd:
                            frames.AdvanceTo(buffer.Start);
                            await EndAsync(context, socket, (header.Flags & FrameFlags.Aborted) != 0);
                            return;
                    }
                }

                frames.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    throw new WorkerLostException("the worker's connection ended in the middle of a WebSocket");
                }
            }
        }
        finally
        {
            if (fromClient is not null && socket!.State == WebSocketState.CloseSent)
            {
                // RFC 6455 §7.1.1: the server closes TCP after the client's Close reply. Closing first
                // lets the reply arrive at a closed socket, whose reset can destroy our Close frame
                // before the client reads it (the client then sees 1006, not the app's code).
                try
                {
                    await fromClient.WaitAsync(CloseHandshakeTimeout, TimeProvider.System);
                }
                catch (TimeoutException)
                {
                    // the client never answered; cut it off
                }
            }

            await stop.CancelAsync();
            if (fromClient is not null)
            {
                await fromClient;
            }
        }
    }

    private static async Task<WebSocket> AcceptAsync(HttpContext context, ReadOnlySequence<byte> payload)
    {
        List<string> items = KeyValueList.Read(payload);
        IHeaderDictionary headers = context.Response.Headers;
        for (int i = 1; i + 1 < items.Count; i += 2)
        {
            headers.Append(items[i], new StringValues(items[i + 1]));
        }

        string? subprotocol = items.Count > 0 && items[0].Length > 0 ? items[0] : null;
        return await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = subprotocol });
    }

    /// <summary>The app is done: finish the closing handshake, or refuse a handshake it never answered.</summary>
    private static async Task EndAsync(HttpContext context, WebSocket? socket, bool aborted)
    {
        if (socket is null)
        {
            if (!context.Response.HasStarted)
            {
                await ErrorPages.WriteAsync(context, 500, "Internal Server Error", "The application failed before it accepted this WebSocket connection. The error is in the server log.");
            }

            return;
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            WebSocketCloseStatus status = aborted ? WebSocketCloseStatus.InternalServerError : WebSocketCloseStatus.NormalClosure;
            await socket.CloseOutputAsync(status, null, context.RequestAborted);
        }
    }

    /// <summary>Reads the client's messages, whole, and sends each to the worker; then its close.</summary>
    private static async Task FromClientAsync(WebSocket socket, WorkerConnection connection, uint requestId, CancellationToken cancellationToken)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var message = new ArrayBufferWriter<byte>(64 * 1024);
        int code = (int)WebSocketCloseStatus.EndpointUnavailable;
        string reason = "";
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult received = await socket.ReceiveAsync(chunk.AsMemory(), cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    code = (int)(socket.CloseStatus ?? (WebSocketCloseStatus)1005);
                    reason = socket.CloseStatusDescription ?? "";
                    return;
                }

                if (message.WrittenCount + received.Count > MaxMessage)
                {
                    code = (int)WebSocketCloseStatus.MessageTooBig;
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"messages are at most {MaxMessage / (1024 * 1024)} MiB", cancellationToken);
                    return;
                }

                message.Write(chunk.AsSpan(0, received.Count));
                if (received.EndOfMessage)
                {
                    FrameFlags flags = received.MessageType == WebSocketMessageType.Text ? FrameFlags.Text : FrameFlags.None;
                    await connection.SendFrameAsync(FrameType.WebSocketMessage, flags, requestId, message.WrittenMemory, CancellationToken.None);
                    message.ResetWrittenCount();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // the client went away without a closing handshake (1001 as RFC 6455 §7.4.1 suggests), or the worker ended first
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            if (connection.IsInFlight(requestId))
            {
                byte[] close = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
                BinaryPrimitives.WriteUInt16BigEndian(close, (ushort)code);
                Encoding.UTF8.GetBytes(reason, close.AsSpan(2));
                try
                {
                    await connection.SendFrameAsync(FrameType.WebSocketClose, FrameFlags.None, requestId, close, CancellationToken.None);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ObjectDisposedException)
                {
                    // the worker is gone, and the WebSocket with it
                }
            }
        }
    }

    private static (WebSocketCloseStatus Status, string? Reason) ReadClose(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 2)
        {
            return (WebSocketCloseStatus.NormalClosure, null);
        }

        Span<byte> code = stackalloc byte[2];
        payload.Slice(0, 2).CopyTo(code);
        string reason = Encoding.UTF8.GetString(payload.Slice(2));
        return ((WebSocketCloseStatus)BinaryPrimitives.ReadUInt16BigEndian(code), reason.Length == 0 ? null : reason);
    }
}
