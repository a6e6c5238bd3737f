using Berth.Config;

namespace Berth.Edge;

/// <summary>
/// <c>websocket_idle_timeout</c> for one WebSocket: its token is cancelled when no message has passed either
/// way for the timeout. Each message moves the deadline (one timer change, no allocation); with a zero
/// timeout the token never fires.
/// </summary>
internal sealed class WebSocketIdleTimer : IDisposable
{
    private readonly CancellationTokenSource? _source;
    private readonly TimeSpan _timeout;

    public WebSocketIdleTimer(TimeSpan timeout, TimeProvider time)
    {
        _timeout = timeout;
        if (timeout > TimeSpan.Zero)
        {
            _source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        }
    }

    public CancellationToken Token => _source?.Token ?? CancellationToken.None;

    public bool Fired => _source?.IsCancellationRequested == true;

    /// <summary>What the client's close frame and the app's websocket.disconnect say.</summary>
    public string Reason => $"no message for {Duration.Format(_timeout)} (websocket_idle_timeout)";

    /// <summary>A message passed: the socket has another full timeout to live.</summary>
    public void Touch()
    {
        if (_source is { IsCancellationRequested: false })
        {
            _source.CancelAfter(_timeout);
        }
    }

    public void Dispose() => _source?.Dispose();
}
