using Berth.Protocol;

namespace Berth.Workers;

/// <summary>
/// The heartbeat (<c>heartbeat:</c>): a ready worker gets a PING when its last one was answered at least that long
/// ago; one that has not answered by the next is unresponsive. A WSGI worker is pinged only while idle: busy, it
/// may not read its connection until the view returns (one thread), and the request deadline watches it. A ping
/// sent while idle is still answered when a request follows at once: the worker reads frames in order, so the PONG
/// leaves before the request starts. An ASGI worker is pinged busy or not: its event loop reads the connection
/// between awaits, so a loop that cannot answer for that long is stuck for every request on it, and a worker
/// holding WebSockets open is never idle.
/// </summary>
public sealed partial class AppSupervisor
{
    private void Heartbeat(WorkerSlot slot, DateTimeOffset now)
    {
        TimeSpan interval = App.Heartbeat;
        if (interval <= TimeSpan.Zero || slot.Connection is not { } connection)
        {
            return;
        }

        bool pingable = slot.Cancellable || Volatile.Read(ref slot.InFlight) == 0;
        if (slot.PingSentAt is { } sent)
        {
            // A request can reach a WSGI worker between the idle check and the PING, ahead of it on the
            // connection: the PONG then waits for the view, however slow, and the request deadline is
            // what watches a busy worker. So the clock restarts while it is busy, and the worker has a
            // whole interval to answer once the view returns.
            if (!pingable)
            {
                slot.PingSentAt = now;
            }
            else if (now - sent >= interval)
            {
                LogUnresponsive(slot.Id, slot.Pid, (now - sent).TotalSeconds);
                Abandon(slot, "unresponsive");
            }

            return;
        }

        if (pingable && now - slot.AnsweredAt >= interval)
        {
            slot.PingSentAt = now;
            _ = SendPingAsync(connection);
        }
    }

    private void OnPong(WorkerSlot slot)
    {
        slot.PingSentAt = null;
        slot.AnsweredAt = _time.GetUtcNow();
    }

    private static async Task SendPingAsync(WorkerConnection connection)
    {
        try
        {
            await connection.SendControlAsync(FrameType.Ping, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ObjectDisposedException)
        {
            // the worker is gone; its exit is on its way to the loop
        }
    }
}
