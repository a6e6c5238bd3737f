using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Berth.Config;
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

    /// <summary>
    /// Relays until the worker ends the request. When the worker leaves (<see cref="WorkerSlot.GoingAway"/>:
    /// its drain deadline passed, or the server stops) the client gets a close frame with 1001 Going Away and
    /// the app <c>websocket.disconnect</c> 1001; the app then has the closing handshake's time to return
    /// before the caller sends CANCEL. A socket quiet for the app's <c>websocket_idle_timeout</c> is closed the
    /// same way.
    /// </summary>
    public static async Task RunAsync(HttpContext context, Exchange exchange, WorkerSlot worker, AppConfig app, RequestRecord record)
    {
        WorkerConnection connection = worker.Connection!;
        PipeReader frames = exchange.Response;
        uint requestId = exchange.RequestId;
        WebSocket? socket = null;
        Task? fromClient = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        using var idle = new WebSocketIdleTimer(app.WebSocketIdleTimeout, TimeProvider.System);
        using var untilGoingAway = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, worker.GoingAway, idle.Token);
        CancellationTokenSource? afterGoingAway = null;
        CancellationToken reading = untilGoingAway.Token;
        Interlocked.Increment(ref worker.WebSockets);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await frames.ReadAsync(reading);
                }
                catch (OperationCanceledException) when (afterGoingAway is null && (worker.GoingAway.IsCancellationRequested || idle.Fired) && !context.RequestAborted.IsCancellationRequested)
                {
                    if (socket is null)
                    {
                        // Not accepted yet: refuse the handshake (the caller's CANCEL ends the app's side); the client retries on a new worker.
                        await ErrorPages.WriteAsync(context, 503, "Service Unavailable", "This worker is being replaced; please reconnect.", retryAfter: "1");
                        return;
                    }

                    string reason = worker.GoingAway.IsCancellationRequested ? worker.GoingAwayReason : idle.Reason;
                    await GoAwayAsync(socket, connection, requestId, reason, context.RequestAborted);
                    afterGoingAway = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                    afterGoingAway.CancelAfter(CloseHandshakeTimeout);
                    reading = afterGoingAway.Token;
                    continue;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                while (FrameHeader.TryReadFrame(ref buffer, out FrameHeader header, out ReadOnlySequence<byte> payload))
                {
                    switch (header.Type)
                    {
                        case FrameType.WebSocketAccept when socket is null:
                            socket = await AcceptAsync(context, payload, app.WebSocketPingInterval);
                            idle.Touch();
                            fromClient = FromClientAsync(socket, connection, requestId, idle, stop.Token);
                            break;
                        case FrameType.WebSocketMessage when socket is not null:
                            record.BytesSent += payload.Length;
                            idle.Touch();
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
            Interlocked.Decrement(ref worker.WebSockets);
            afterGoingAway?.Dispose();
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

    private static async Task<WebSocket> AcceptAsync(HttpContext context, ReadOnlySequence<byte> payload, TimeSpan pingInterval)
    {
        List<string> items = KeyValueList.Read(payload);
        IHeaderDictionary headers = context.Response.Headers;
        for (int i = 1; i + 1 < items.Count; i += 2)
        {
            headers.Append(items[i], new StringValues(items[i + 1]));
        }

        string? subprotocol = items.Count > 0 && items[0].Length > 0 ? items[0] : null;
        // A client that has not answered a ping by the next one is gone (RFC 6455 §5.5.2 makes the pong
        // mandatory); waiting longer only keeps a dead socket and the app's handler alive.
        return await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subprotocol,
            KeepAliveInterval = pingInterval,
            KeepAliveTimeout = pingInterval > TimeSpan.Zero ? pingInterval : Timeout.InfiniteTimeSpan,
        });
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
    private static async Task FromClientAsync(WebSocket socket, WorkerConnection connection, uint requestId, WebSocketIdleTimer idle, CancellationToken cancellationToken)
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
                    idle.Touch();
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
            await SendCloseAsync(connection, requestId, code, reason);
        }
    }

    /// <summary>
    /// The worker is leaving: the app hears <c>websocket.disconnect</c> 1001 first, so its handler ends as if
    /// the client had gone away (RFC 6455 §7.4.1: 1001 is an endpoint "going away", such as a server going
    /// down), then the client gets the close frame and reconnects, to a new worker.
    /// </summary>
    private static async Task GoAwayAsync(WebSocket socket, WorkerConnection connection, uint requestId, string reason, CancellationToken cancellationToken)
    {
        await SendCloseAsync(connection, requestId, (int)WebSocketCloseStatus.EndpointUnavailable, reason);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, reason, cancellationToken);
            }
            catch (WebSocketException)
            {
                // the client is already gone
            }
        }
    }

    /// <summary>WEBSOCKET_CLOSE to the worker, which the app receives as <c>websocket.disconnect</c>; a no-op once the request ended.</summary>
    private static async Task SendCloseAsync(WorkerConnection connection, uint requestId, int code, string reason)
    {
        if (!connection.IsInFlight(requestId))
        {
            return;
        }

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
