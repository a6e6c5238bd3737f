using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Berth.Protocol;
using Berth.Workers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Berth.Edge;

/// <summary>
/// The hot path: buffer the body, take a place on the least-busy worker, send the request, then
/// relay the worker's response frames to the client as they come.
/// </summary>
public sealed partial class AppProxy
{
    private readonly EdgeOptions _options;
    private readonly ILogger _logger;

    public AppProxy(EdgeOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public async Task ForwardAsync(HttpContext context, Route route, RequestRecord record)
    {
        AppSupervisor app = route.App!;
        if (context.Request.Path.Value?.Contains('\0', StringComparison.Ordinal) == true)
        {
            await ErrorPages.WriteAsync(context, 400, "Bad Request", "The request path contains a NUL byte, which no application can handle.");
            return;
        }

        BufferedBody body;
        try
        {
            body = await ReadBodyAsync(context);
        }
        catch (BodyTooLargeException)
        {
            await TooLargeAsync(context);
            return;
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await TooLargeAsync(context);
            return;
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            await ErrorPages.WriteAsync(context, e.StatusCode, "Bad Request", $"The request body could not be read: {e.Message}");
            return;
        }

        await using (body)
        {
            WorkerSlot? worker;
            if (app.FailedReason is not null && app.Dispatcher.Workers.Count == 0)
            {
                await RefuseAsync(context, app); // nothing will come to take it from the queue
                return;
            }

            try
            {
                worker = await app.Dispatcher.AcquireAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client left while waiting in the queue
            }

            if (worker is null)
            {
                await RefuseAsync(context, app);
                return;
            }

            long started = Stopwatch.GetTimestamp();
            record.Worker = worker.Label;
            worker.LastRequestParts = (context.Request.Method, context.Request.Path.Value);
            bool webSocket = worker.Cancellable && context.WebSockets.IsWebSocketRequest;
            var request = new ProxyRequest(context, route, body, _options.IsTrustedProxy(context.Connection.RemoteIpAddress)) { WebSocket = webSocket, Asgi = worker.Cancellable };
            Exchange exchange;
            try
            {
                exchange = await worker.Connection!.SendRequestAsync(request, context.RequestAborted);
            }
            catch (WorkerLostException e)
            {
                await WorkerLostAsync(context, app, worker, e);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            uint requestId = exchange.RequestId;

            // An ASGI view may wait silently (SSE, long poll): the client leaving must reach it as
            // http.disconnect now, not when the view next writes or its deadline passes.
            using CancellationTokenRegistration onClientGone = worker.Cancellable
                ? context.RequestAborted.UnsafeRegister(static state => ((Cancellation)state!).Send(), new Cancellation(worker.Connection, requestId))
                : default;
            try
            {
                if (webSocket)
                {
                    await WebSocketRelay.RunAsync(context, exchange, worker, app.App, record);
                }
                else
                {
                    await RelayAsync(context, exchange, record, app.App.Timeout);
                }
            }
            catch (WorkerLostException e)
            {
                await WorkerLostAsync(context, app, worker, e);
            }
            catch (OperationCanceledException) when (exchange.Deadline.IsCancellationRequested)
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (worker.Cancellable)
                {
                    // Issue 4: cancel instead of killing; only a worker that ignores CANCEL is recycled.
                    _ = RecycleIfCancelIgnoredAsync(app, worker, requestId, worker.LastRequest ?? "?", elapsed);
                }
                else
                {
                    app.ReportDeadline(worker, worker.LastRequest ?? "?", elapsed);
                }

                await ErrorPages.WriteAsync(context, 504, "Gateway Timeout", $"The application did not answer {context.Request.Method} {context.Request.Path} within its {app.App.Timeout.TotalSeconds:0.#}s timeout, so the request was stopped. The operator will find where the view was stuck (its Python stack) in the server log.");
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // the client went away; the worker finishes and its answer is dropped
            }
            finally
            {
                exchange.Complete();
                if (worker.Cancellable && worker.Connection.IsInFlight(requestId))
                {
                    // The client left or the deadline passed before the answer was complete.
                    await worker.Connection.CancelAsync(requestId);
                }

                record.Upstream = Stopwatch.GetElapsedTime(started);
            }
        }
    }

    private sealed record Cancellation(WorkerConnection Connection, uint RequestId)
    {
        public void Send() => _ = Connection.CancelAsync(RequestId).AsTask();
    }

    /// <summary>
    /// After a deadline the worker gets CANCEL (sent once the exchange is let go); a worker whose
    /// loop does not end the request within this grace is stuck in code that never awaits, and is
    /// recycled like a WSGI worker. The shim cancels the task 2 s after CANCEL (CANCEL_GRACE).
    /// </summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    private static async Task RecycleIfCancelIgnoredAsync(AppSupervisor app, WorkerSlot worker, uint requestId, string request, TimeSpan elapsed)
    {
        await Task.Delay(CancelGrace, TimeProvider.System);
        if (worker.Connection?.IsInFlight(requestId) == true)
        {
            app.ReportDeadline(worker, request, elapsed + CancelGrace);
        }
    }

    private Task TooLargeAsync(HttpContext context) =>
        ErrorPages.WriteAsync(context, 413, "Content Too Large", $"The request body is larger than this server accepts ({SizeText(_options.MaxBodySize)}). The site's operator can raise max_body_size (or --max-body-size).");

    private async ValueTask<BufferedBody> ReadBodyAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return BufferedBody.Empty;
        }

        return await BufferedBody.ReadAsync(request.Body, request.ContentLength, _options.MaxBodySize, _options.SpoolDirectory, context.RequestAborted);
    }

    /// <summary>Parses the frames the worker connection copied into the exchange and writes them to the client.</summary>
    private static async Task RelayAsync(HttpContext context, Exchange exchange, RequestRecord record, TimeSpan timeout)
    {
        HttpResponse response = context.Response;
        PipeReader frames = exchange.Response;
        PipeWriter client = response.BodyWriter;
        CancellationToken deadline = exchange.Deadline.Token;
        while (true)
        {
            // The timeout counts the worker's silence, as gunicorn's does: a view that streams keeps its request alive.
            exchange.Deadline.CancelAfter(timeout);
            ReadResult result = await frames.ReadAsync(deadline);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool wroteBody = false;
            while (FrameHeader.TryReadFrame(ref buffer, out FrameHeader header, out ReadOnlySequence<byte> payload))
            {
                switch (header.Type)
                {
                    case FrameType.ResponseHead:
                        ApplyHead(response, payload);
                        break;
                    case FrameType.ResponseBody:
                        foreach (ReadOnlyMemory<byte> segment in payload)
                        {
                            client.Write(segment.Span);
                        }

                        record.BytesSent += payload.Length;
                        wroteBody = true;
                        break;
                    case FrameType.ResponseEnd:
                        frames.AdvanceTo(buffer.Start);
                        if ((header.Flags & FrameFlags.Aborted) != 0)
                        {
                            // The app failed after its status went out: cutting the connection is the
                            // only way left to tell the client the body is incomplete.
                            context.Abort();
                            return;
                        }

                        await client.FlushAsync();
                        return;
                }
            }

            frames.AdvanceTo(buffer.Start, buffer.End);
            if (wroteBody)
            {
                FlushResult flushed = await client.FlushAsync(context.RequestAborted);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return;
                }
            }

            if (result.IsCompleted)
            {
                throw new WorkerLostException("the worker's connection ended in the middle of the response");
            }
        }
    }

    private static void ApplyHead(HttpResponse response, ReadOnlySequence<byte> payload)
    {
        List<string> items = KeyValueList.Read(payload);
        string status = items.Count > 0 ? items[0] : "500";
        response.StatusCode = status.Length >= 3 && int.TryParse(status.AsSpan(0, 3), out int code) ? code : 500;
        IHeaderDictionary headers = response.Headers;
        for (int i = 1; i + 1 < items.Count; i += 2)
        {
            string name = items[i];
            if (IsHopByHop(name))
            {
                continue;
            }

            headers.Append(name, new StringValues(items[i + 1]));
        }
    }

    // RFC 9110 §7.6.1: connection-specific fields are the edge's business, not the app's (PEP 3333 forbids them too).
    private static bool IsHopByHop(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase);

    private Task RefuseAsync(HttpContext context, AppSupervisor app)
    {
        if (app.FailedReason is { } reason)
        {
            return ErrorPages.WriteAsync(context, 503, "Service Unavailable", $"The application '{app.App.Name}' is not running: {FirstLine(reason)} The operator will find the details in the server log.");
        }

        // What bounds a worker's requests at once: an ASGI worker's event loop takes connections: of them, and
        // counts each WebSocket for as long as it is open (as uvicorn's limit_concurrency does); a WSGI worker takes threads:.
        bool asgi = app.Dispatcher.Workers.Any(w => w.Cancellable);
        string knob = asgi ? "connections:" : "threads:";
        LogQueueFull(app.App.Name, asgi ? app.App.Connections : app.App.Threads, knob, app.App.QueueSize);
        return ErrorPages.WriteAsync(context, 503, "Service Unavailable", $"All workers of '{app.App.Name}' are busy and {app.App.QueueSize} requests are already waiting. Please try again in a moment. The site's operator can raise {knob} (requests each worker runs at once) or queue:.", retryAfter: "1");
    }

    private Task WorkerLostAsync(HttpContext context, AppSupervisor app, WorkerSlot worker, WorkerLostException e)
    {
        LogWorkerLost(app.App.Name, worker.Id, worker.Pid, context.Request.Method, context.Request.Path.Value ?? "/", e.Message);
        return ErrorPages.WriteAsync(context, 502, "Bad Gateway", $"The application worker handling this request stopped before it answered ({e.Message}). Other requests are not affected; a new worker is being started. The operator will find the worker's output in the server log.");
    }

    private static string FirstLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? text : lines[^1];
    }

    internal static string SizeText(long bytes) => bytes switch
    {
        >= 1024 * 1024 * 1024 when bytes % (1024 * 1024 * 1024) == 0 => $"{bytes / (1024 * 1024 * 1024)} GiB",
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} bytes",
    };
}
