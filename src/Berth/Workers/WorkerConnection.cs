using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Berth.Protocol;

namespace Berth.Workers;

/// <summary>
/// The master's end of one worker's Unix-socket connection: sends request frames (serialized by a
/// lock, one send per request head) and runs the single reader that routes response frames to
/// their <see cref="Exchange"/> by request id.
/// </summary>
public sealed class WorkerConnection : IAsyncDisposable
{
    // 64 KiB: the size Linux's Unix sockets move in one go by default; larger chunks only add copies.
    public const int BodyChunkSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(16 * 1024);
    private readonly ConcurrentDictionary<uint, Exchange> _inFlight = new();
    private readonly ConcurrentBag<Exchange> _pool = new();
    private uint _nextRequestId;
    private volatile string? _lostReason;

    public WorkerConnection(Socket socket)
    {
        _socket = socket;
        _reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
    }

    /// <summary>Frames that are not responses (READY, BOOT_ERROR, PONG) go to the supervisor through this.</summary>
    public Action<FrameType, string>? OnControlFrame { get; set; }

    /// <summary>Called by the reader when RESPONSE_END frees a place on the worker.</summary>
    public Action? OnRequestDone { get; set; }

    public PipeReader Input => _reader;

    /// <summary>
    /// Starts a request: registers an exchange, then sends head and body. The caller holds a place
    /// on this worker (from the dispatcher); it is given back through <see cref="OnRequestDone"/>
    /// exactly once, whether the request completes, fails, or never gets sent.
    /// </summary>
    public async ValueTask<Exchange> SendRequestAsync(IWorkerRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _writeLock.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            OnRequestDone?.Invoke();
            throw;
        }

        if (!_pool.TryTake(out Exchange? exchange))
        {
            exchange = new Exchange();
        }

        uint id = 0;
        try
        {
            if (_lostReason is { } reason)
            {
                throw new WorkerLostException(reason);
            }

            id = ++_nextRequestId == 0 ? ++_nextRequestId : _nextRequestId;
            exchange.Start(this, id);
            _inFlight[id] = exchange;

            _sendBuffer.ResetWrittenCount();
            FrameMark mark = FrameWriter.BeginFrame(_sendBuffer);
            request.WriteHead(_sendBuffer);
            long bodyLength = request.BodyLength;
            FrameFlags headFlags = (bodyLength == 0 ? FrameFlags.EndStream : FrameFlags.None) | (request.WebSocket ? FrameFlags.WebSocket : FrameFlags.None);
            FrameWriter.EndFrame(_sendBuffer, mark, FrameType.RequestHead, headFlags, id);

            // No cancellation once bytes go out: half a frame would corrupt the stream for every
            // later request on this worker. Sends to a local socket finish promptly anyway.
            long offset = 0;
            while (offset < bodyLength)
            {
                mark = FrameWriter.BeginFrame(_sendBuffer);
                int read = await request.ReadBodyAsync(offset, _sendBuffer.GetMemory(BodyChunkSize)[..(int)Math.Min(BodyChunkSize, bodyLength - offset)]);
                if (read == 0)
                {
                    throw new IOException("the buffered request body ended early");
                }

                _sendBuffer.Advance(read);
                offset += read;
                FrameWriter.EndFrame(_sendBuffer, mark, FrameType.RequestBody, offset == bodyLength ? FrameFlags.EndStream : FrameFlags.None, id);
                if (_sendBuffer.WrittenCount >= BodyChunkSize)
                {
                    await SendBufferedAsync();
                }
            }

            await SendBufferedAsync();
            return exchange;
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or WorkerLostException)
        {
            if (id == 0)
            {
                OnRequestDone?.Invoke(); // never registered: only the dispatcher's place to give back
            }
            else
            {
                // Registered: whoever removes it from the table (we, or FailAll on the reader) gives
                // back the place and the reader's hold; the caller never sees it, so we drop its hold too.
                if (_inFlight.TryRemove(id, out _))
                {
                    exchange.Sink.Complete();
                    OnRequestDone?.Invoke();
                    Release(exchange);
                }

                Release(exchange);
            }

            throw e as WorkerLostException ?? new WorkerLostException(_lostReason ?? "the worker closed its connection", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends what is in the send buffer (the write lock is held) and empties it.</summary>
    private async ValueTask SendBufferedAsync()
    {
        ReadOnlyMemory<byte> data = _sendBuffer.WrittenMemory;
        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None);
            data = data[sent..];
        }

        _sendBuffer.ResetWrittenCount();
    }

    public ValueTask SendControlAsync(FrameType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendFrameAsync(type, FrameFlags.None, 0, payload, cancellationToken);

    /// <summary>True until the worker ended the request (RESPONSE_END) or the connection was lost.</summary>
    public bool IsInFlight(uint requestId) => _inFlight.ContainsKey(requestId);

    /// <summary>
    /// Tells the worker nobody will read the answer to a request (CANCEL): an ASGI worker delivers
    /// <c>http.disconnect</c> and cancels the task, then ends the request as usual. A no-op once the request ended.
    /// </summary>
    public async ValueTask CancelAsync(uint requestId)
    {
        if (!IsInFlight(requestId) || _lostReason is not null)
        {
            return;
        }

        try
        {
            await SendFrameAsync(FrameType.Cancel, FrameFlags.None, requestId, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // the worker is gone, and the request with it
        }
    }

    /// <summary>Sends one frame of a request in flight (a WebSocket message or close from the client).</summary>
    public async ValueTask SendFrameAsync(FrameType type, FrameFlags flags, uint requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _sendBuffer.ResetWrittenCount();
            FrameWriter.Write(_sendBuffer, type, flags, requestId, payload.Span);
            await SendBufferedAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Reads frames until the worker closes. Response frames are copied whole into their exchange's
    /// pipe; the edge parses them there. Returns the reason the connection ended.
    /// </summary>
    public async Task RunReaderAsync(CancellationToken cancellationToken)
    {
        string reason = "the worker closed its connection";
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync(cancellationToken);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (FrameHeader.TryReadFrame(ref buffer, out FrameHeader header, out ReadOnlySequence<byte> payload))
                {
                    if (header.Type is FrameType.ResponseHead or FrameType.ResponseBody or FrameType.ResponseEnd or FrameType.WebSocketAccept or FrameType.WebSocketMessage or FrameType.WebSocketClose)
                    {
                        await RouteAsync(header, payload);
                    }
                    else
                    {
                        OnControlFrame?.Invoke(header.Type, System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(payload)));
                    }
                }

                _reader.AdvanceTo(buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "the master closed the connection";
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException)
        {
            reason = e.Message;
        }
        finally
        {
            FailAll(reason);
        }
    }

    private async ValueTask RouteAsync(FrameHeader header, ReadOnlySequence<byte> payload)
    {
        if (!_inFlight.TryGetValue(header.RequestId, out Exchange? exchange))
        {
            return; // answer to a request whose exchange already failed; nothing to deliver
        }

        PipeWriter sink = exchange.Sink;
        Span<byte> span = sink.GetSpan(FrameHeader.Size);
        header.Write(span);
        sink.Advance(FrameHeader.Size);
        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            sink.Write(segment.Span);
        }

        if (header.Type == FrameType.ResponseEnd)
        {
            _inFlight.TryRemove(header.RequestId, out _);
            await sink.CompleteAsync();
            OnRequestDone?.Invoke();
            Release(exchange);
        }
        else if (header.Type != FrameType.ResponseHead || sink.UnflushedBytes > BodyChunkSize)
        {
            // Flushing per body frame (and per WebSocket frame) is what makes streamed responses (SSE, generators) reach the
            // client chunk by chunk; a head is flushed together with what follows it in the same read.
            await sink.FlushAsync();
        }
    }

    private void FailAll(string reason)
    {
        _lostReason = reason;
        foreach (KeyValuePair<uint, Exchange> entry in _inFlight)
        {
            if (_inFlight.TryRemove(entry.Key, out Exchange? exchange))
            {
                exchange.Sink.Complete(new WorkerLostException(reason));
                OnRequestDone?.Invoke();
                Release(exchange);
            }
        }
    }

    internal void Release(Exchange exchange)
    {
        if (exchange.LetGo())
        {
            _pool.Add(exchange);
        }
    }

    /// <summary>Closes our side; the worker finishes what it has in flight and exits on EOF.</summary>
    public void CloseSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        _socket.Dispose();
        _writeLock.Dispose();
        while (_pool.TryTake(out Exchange? exchange))
        {
            exchange.Dispose();
        }
    }
}
