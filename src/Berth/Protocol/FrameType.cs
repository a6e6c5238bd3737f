namespace Berth.Protocol;

/// <summary>Frame types of the worker protocol; the table in docs/protocol.md is the reference.</summary>
public enum FrameType : byte
{
    Hello = 0x01,
    Ready = 0x02,
    BootError = 0x03,
    RequestHead = 0x10,
    RequestBody = 0x11,

    /// <summary>Master → worker: the client went away or the deadline passed; an ASGI worker delivers
    /// <c>http.disconnect</c> and then cancels the request's task. The worker still ends the request with RESPONSE_END.</summary>
    Cancel = 0x12,
    ResponseHead = 0x20,
    ResponseBody = 0x21,
    ResponseEnd = 0x22,

    /// <summary>Worker → master: the app accepted a WebSocket; payload: the subprotocol ("" for none), then header name, value, ...</summary>
    WebSocketAccept = 0x23,

    /// <summary>Both ways: one whole WebSocket message; <see cref="FrameFlags.Text"/> for text (UTF-8), else binary.</summary>
    WebSocketMessage = 0x24,

    /// <summary>Both ways: the WebSocket closes; payload: the code (u16, big-endian) then the reason (UTF-8).
    /// From the worker before <see cref="WebSocketAccept"/>, the handshake is denied (403).</summary>
    WebSocketClose = 0x25,
    Ping = 0x30,
    Pong = 0x31,

    /// <summary>Master → zygote: fork a worker with this id (<c>preload: true</c>).</summary>
    Spawn = 0x40,

    /// <summary>Zygote → master: a forked worker ended, with its pid, id and exit status.</summary>
    ChildExited = 0x41,
}

[Flags]
public enum FrameFlags : byte
{
    None = 0,

    /// <summary>No more request body frames follow.</summary>
    EndStream = 0x01,

    /// <summary>On <see cref="FrameType.ResponseEnd"/>: the app failed after its head was sent.</summary>
    Aborted = 0x02,

    /// <summary>On <see cref="FrameType.RequestHead"/>: a WebSocket handshake (the ASGI websocket scope).</summary>
    WebSocket = 0x04,

    /// <summary>On <see cref="FrameType.WebSocketMessage"/>: the message is text (UTF-8), not binary.</summary>
    Text = 0x08,
}
