namespace Berth.Workers;

/// <summary>
/// Issue 4, item 7: a leaving worker keeps its open WebSockets until they close by themselves or the
/// app's <c>websocket_drain_timeout</c> passes; then the edge closes each with 1001 Going Away (the client
/// gets a close frame, the app gets <c>websocket.disconnect</c> 1001) and the worker exits once nothing is left.
/// The edge sends the 1001 rather than the worker because the edge owns the client's socket: it can finish
/// the closing handshake even when the app does not answer.
/// </summary>
public sealed partial class AppSupervisor
{
    // After the 1001: the edge's closing handshake (5 s) and the shim's cancel grace (2 s) are over long
    // before this; a worker that had WebSockets and is still busy past the app's timeout plus this is stuck
    // (an HTTP request would have met its deadline by then), so it is killed. Workers without WebSockets
    // (a long SSE stream, say) are left to their requests, as before.
    private static readonly TimeSpan AfterGoingAway = TimeSpan.FromSeconds(10);

    private const string ShutdownReason = "the server is shutting down";

    /// <summary>Closes every WebSocket of the app with 1001 now (the server is stopping); called before the edge waits for its requests.</summary>
    public void CloseWebSockets() => Post(new SupervisorEvent.CloseWebSockets());

    private void GoAwayAll(string why)
    {
        foreach (WorkerSlot slot in _workers.Values)
        {
            GoAway(slot, why);
        }
    }

    /// <summary>On a draining worker's tick: 1001 once its drain deadline passed, and a kill if it still does not leave.</summary>
    private void DrainWebSockets(WorkerSlot slot, DateTimeOffset now)
    {
        if (slot.WentAwayAt is { } wentAway)
        {
            int left = Volatile.Read(ref slot.InFlight);
            if (left > 0 && slot.WebSocketsClosed > 0 && now - wentAway >= App.Timeout + AfterGoingAway)
            {
                LogKilledAfterDrain(slot.Id, slot.Pid, left, (now - wentAway).TotalSeconds);
                TryKill(slot);
            }
        }
        else if (slot.DrainingSince is { } since && now - since >= App.WebSocketDrainTimeout)
        {
            GoAway(slot, LeavingReason(slot.RetireCause));
        }
    }

    private void GoAway(WorkerSlot slot, string why)
    {
        if (slot.GoAway(why, _time.GetUtcNow()) && slot.WebSocketsClosed > 0)
        {
            LogClosingWebSockets(slot.Id, slot.Pid, slot.WebSocketsClosed, why);
        }
    }

    /// <summary>The close frame's reason, which the client may show: short (RFC 6455 §5.5 allows 123 bytes) and telling it to come back.</summary>
    private static string LeavingReason(string? cause) => cause switch
    {
        "reload" => "the app is being reloaded; reconnect",
        "shutdown" => ShutdownReason,
        _ => "this worker is being replaced; reconnect",
    };
}
