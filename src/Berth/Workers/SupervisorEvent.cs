namespace Berth.Workers;

/// <summary>Everything that changes the worker table arrives as one of these, on the supervisor's one loop.</summary>
internal abstract record SupervisorEvent
{
    internal sealed record Connected(int WorkerId, WorkerConnection Connection, IReadOnlyList<string> Hello) : SupervisorEvent;

    internal sealed record Ready(WorkerSlot Slot) : SupervisorEvent;

    internal sealed record BootFailed(WorkerSlot Slot, string Error) : SupervisorEvent;

    internal sealed record Exited(WorkerSlot Slot) : SupervisorEvent;

    internal sealed record Spawn : SupervisorEvent;

    internal sealed record Stop(TaskCompletionSource Done) : SupervisorEvent;
}
