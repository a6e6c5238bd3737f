namespace Berth.Workers;

/// <summary>Everything that changes the worker table arrives as one of these, on the supervisor's one loop.</summary>
internal abstract record SupervisorEvent
{
    internal sealed record Connected(int WorkerId, WorkerConnection Connection, IReadOnlyList<string> Hello) : SupervisorEvent;

    internal sealed record Ready(WorkerSlot Slot) : SupervisorEvent;

    internal sealed record BootFailed(WorkerSlot Slot, string Error) : SupervisorEvent;

    internal sealed record Exited(WorkerSlot Slot) : SupervisorEvent;

    /// <summary>The first start: read the app's env_file, then spawn.</summary>
    internal sealed record Boot : SupervisorEvent;

    /// <summary>Start workers until the wanted number is running (after a backoff, for crashes).</summary>
    internal sealed record Spawn : SupervisorEvent;

    /// <summary>A request on a worker finished, and the worker is draining or at its request limit.</summary>
    internal sealed record RequestDone(WorkerSlot Slot) : SupervisorEvent;

    /// <summary>The worker answered the heartbeat's PING.</summary>
    internal sealed record Pong(WorkerSlot Slot) : SupervisorEvent;

    internal sealed record DeadlinePassed(WorkerSlot Slot, string Request, TimeSpan Elapsed) : SupervisorEvent;

    /// <summary>Once a second: lifetimes, memory, draining workers that went idle, overdue kills.</summary>
    internal sealed record Tick : SupervisorEvent;

    internal sealed record Reload(Config.AppConfig? NewConfig, TaskCompletionSource<Control.ControlResult> Done) : SupervisorEvent;

    internal sealed record Scale(int Workers, TaskCompletionSource<Control.ControlResult> Done) : SupervisorEvent;

    internal sealed record Stop(TaskCompletionSource Done) : SupervisorEvent;

    /// <summary>The server is stopping: every worker's WebSockets get 1001 now, before the edge waits for its requests.</summary>
    internal sealed record CloseWebSockets : SupervisorEvent;

    // ---- preload: a zygote's connection, frames and exit ----

    internal sealed record ZygoteConnected(int ZygoteId, WorkerConnection Connection, IReadOnlyList<string> Hello) : SupervisorEvent;

    internal sealed record ZygoteReady(Zygote Zygote) : SupervisorEvent;

    internal sealed record ZygoteBootFailed(Zygote Zygote, string Error) : SupervisorEvent;

    internal sealed record ZygoteExited(Zygote Zygote) : SupervisorEvent;

    /// <summary>CHILD_EXITED: a worker forked by <paramref name="Zygote"/> ended with <paramref name="Status"/> (exit code, or 128 + signal).</summary>
    internal sealed record ChildExited(Zygote Zygote, int Pid, int WorkerId, int Status) : SupervisorEvent;
}
