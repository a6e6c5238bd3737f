using System.Diagnostics;
using Berth.Dispatch;

namespace Berth.Workers;

/// <summary>
/// One Python worker process and its connection, as the supervisor's table and the dispatcher see it.
/// State changes only on the supervisor's loop; the in-flight and served counters are changed by
/// the request path with Interlocked. A worker forked by a <see cref="Workers.Zygote"/> has no
/// <see cref="Process"/>: it is known by the pid in its HELLO, and its exit by the zygote's report.
/// </summary>
public sealed class WorkerSlot : IWorkerTarget
{
    private int _inFlight;
    private long _requestsServed;
    private volatile bool _accepting = true;

    public WorkerSlot(int id, int generation, Process? process, DateTimeOffset startedAt)
    {
        Id = id;
        Generation = generation;
        Process = process;
        StartedAt = startedAt;
    }

    /// <summary>The app-local worker number shown in logs (<c>[demo:2]</c>); a replacement gets a new one.</summary>
    public int Id { get; }

    /// <summary>Which reload of the app this worker runs the code of.</summary>
    public int Generation { get; }

    /// <summary>The process berth started; null for a worker forked by a zygote.</summary>
    public Process? Process { get; }

    /// <summary>The zygote this worker was forked from (<c>preload: true</c>); null for a started one.</summary>
    public Zygote? Zygote { get; init; }

    public int Pid { get; set; }

    /// <summary>The exit code, or 128 + signal, when the zygote reported it (<see cref="Protocol.FrameType.ChildExited"/>).</summary>
    public int? ExitStatus { get; set; }

    /// <summary>A forked worker was to be killed before its HELLO told its pid; it is killed when it connects.</summary>
    public bool KillPending { get; set; }

    public DateTimeOffset StartedAt { get; }

    public WorkerState State { get; set; } = WorkerState.Booting;

    public WorkerConnection? Connection { get; set; }

    public int Capacity { get; set; } = 1;

    /// <summary>An ASGI worker, which answers CANCEL by cancelling the request's task; a WSGI worker ignores it.</summary>
    public bool Cancellable { get; set; }

    public ref int InFlight => ref _inFlight;

    public bool Accepting => _accepting;

    public long RequestsServed => Interlocked.Read(ref _requestsServed);

    /// <summary>Recycle after this many requests (max_requests plus this worker's jitter); 0 = never.</summary>
    public long RequestLimit { get; init; }

    /// <summary>Recycle at this age (max_lifetime plus jitter); null = never.</summary>
    public TimeSpan? LifetimeLimit { get; init; }

    /// <summary>Why the supervisor is retiring this worker (max-requests, lifetime, memory, timeout, reload, scale-down); null while it is wanted.</summary>
    public string? RetireCause { get; private set; }

    public DateTimeOffset? DrainingSince { get; set; }

    /// <summary>When a worker that passed its deadline gets SIGKILL, after its stack dump.</summary>
    public DateTimeOffset? KillAt { get; set; }

    public bool SendClosed { get; set; }

    public long RssBytes { get; set; }

    /// <summary>Consecutive RSS samples above max_memory; one spike is not enough to recycle.</summary>
    public int MemoryStrikes { get; set; }

    /// <summary>The last request that reached this worker, for its death record. Kept as the two strings
    /// Kestrel already has, so the request path does not build a new one for a record rarely read.</summary>
    public (string Method, string? Path) LastRequestParts { get; set; }

    public string? LastRequest => LastRequestParts.Method is null ? null : $"{LastRequestParts.Method} {LastRequestParts.Path}";

    /// <summary>"app:id", as the access log and the output prefix show it.</summary>
    public string Label { get; init; } = "";

    public void CountServed() => Interlocked.Increment(ref _requestsServed);

    /// <summary>Marks the worker for retirement; it keeps serving until <see cref="StopAccepting"/>.</summary>
    public void Retire(string cause) => RetireCause ??= cause;

    /// <summary>Takes the worker out of dispatch; see <see cref="IWorkerTarget.Accepting"/>.</summary>
    public void StopAccepting()
    {
        _accepting = false;
        Interlocked.MemoryBarrier(); // the dispatcher reserves, then reads this flag; we write it, then read InFlight
    }

    /// <summary>A retirement called off (a reload whose new code failed to import).</summary>
    public void Unretire()
    {
        if (State == WorkerState.Ready)
        {
            RetireCause = null;
        }
    }

    public override string ToString() => $"worker {Id} (pid {Pid})";
}
