using System.Diagnostics;
using Berth.Dispatch;

namespace Berth.Workers;

/// <summary>
/// One Python worker process and its connection, as the supervisor's table and the dispatcher see it.
/// State changes only on the supervisor's loop; the in-flight counter is changed by the request path
/// with Interlocked.
/// </summary>
public sealed class WorkerSlot : IWorkerTarget
{
    private int _inFlight;
    private long _requestsServed;

    public WorkerSlot(int id, Process process, DateTimeOffset startedAt)
    {
        Id = id;
        Process = process;
        StartedAt = startedAt;
    }

    /// <summary>The app-local worker number shown in logs (<c>[demo:2]</c>); a replacement gets a new one.</summary>
    public int Id { get; }

    public Process Process { get; }

    public int Pid { get; set; }

    public DateTimeOffset StartedAt { get; }

    public WorkerState State { get; set; } = WorkerState.Booting;

    public WorkerConnection? Connection { get; set; }

    public int Capacity { get; set; } = 1;

    public ref int InFlight => ref _inFlight;

    public long RequestsServed => Interlocked.Read(ref _requestsServed);

    /// <summary>"GET /path" of the last request that reached this worker, for its death record.</summary>
    public string? LastRequest { get; set; }

    public void CountServed() => Interlocked.Increment(ref _requestsServed);

    public override string ToString() => $"worker {Id} (pid {Pid})";
}
