using System.Diagnostics;
using Berth.Dispatch;

namespace Berth.Workers;

/// <summary>
/// One Python worker process and its connection, as the supervisor's table and the dispatcher see it.
/// State changes only on the supervisor's loop; the in-flight and served counters are changed by
/// the request path with Interlocked. A worker forked by a <see cref="Workers.Zygote"/> has no
/// <see cref="Process"/>: it is known by the pid in its HELLO, and its exit by the zygote's report.
/// </summary>
public sealed class WorkerSlot : IWorkerTarget, IDisposable
{
    private int _inFlight;
    private int _webSockets;
    private long _requestsServed;
    private readonly CancellationTokenSource _goingAway = new();

    // Read once: a relay that looks at a worker which just died gets a token that still works, not ObjectDisposedException.
    private readonly CancellationToken _goingAwayToken;
    private volatile bool _accepting = true;

    public WorkerSlot(int id, int generation, Process? process, DateTimeOffset startedAt)
    {
        Id = id;
        Generation = generation;
        Process = process;
        StartedAt = startedAt;
        AnsweredAt = startedAt;
        _goingAwayToken = _goingAway.Token;
    }

    /// <summary>The app-local worker number shown in logs (<c>[demo:2]</c>); a replacement gets a new one.</summary>
    public int Id { get; }

    /// <summary>Which reload of the app this worker runs the code of.</summary>
    public int Generation { get; }

    /// <summary>The process berth started; null for a worker forked by a zygote.</summary>
    public Process? Process { get; }

    /// <summary>Set when the worker's connection has been read to the end (its last frames handled).</summary>
    public TaskCompletionSource ConnectionRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>An ASGI worker, which answers CANCEL by cancelling the request's task (a WSGI worker ignores it), and
    /// PING between awaits while requests run.</summary>
    public bool Cancellable { get; set; }

    public ref int InFlight => ref _inFlight;

    public bool Accepting => _accepting;

    /// <summary>WebSockets open on this worker (each also holds an in-flight place), counted by the edge's relay.</summary>
    public ref int WebSockets => ref _webSockets;

    public long RequestsServed => Interlocked.Read(ref _requestsServed);

    /// <summary>Recycle after this many requests (max_requests plus this worker's jitter); 0 = never.</summary>
    public long RequestLimit { get; init; }

    /// <summary>Recycle at this age (max_lifetime plus jitter); null = never.</summary>
    public TimeSpan? LifetimeLimit { get; init; }

    /// <summary>Why the supervisor is retiring this worker (max-requests, lifetime, memory, timeout, reload, scale-down); null while it is wanted.</summary>
    public string? RetireCause { get; private set; }

    public DateTimeOffset? DrainingSince { get; set; }

    /// <summary>
    /// Cancelled when the worker's open WebSockets are to be closed with 1001 Going Away (its drain deadline
    /// passed, or the server is stopping); each WebSocket relay on this worker watches it.
    /// </summary>
    public CancellationToken GoingAway => _goingAwayToken;

    /// <summary>Why the WebSockets are closed, as the 1001's reason says it to the client (at most 123 bytes, RFC 6455 §5.5).</summary>
    public string GoingAwayReason { get; private set; } = "";

    /// <summary>When <see cref="GoAway"/> was first called; null until then.</summary>
    public DateTimeOffset? WentAwayAt { get; private set; }

    /// <summary>How many WebSockets were open when <see cref="GoAway"/> closed them.</summary>
    public int WebSocketsClosed { get; private set; }

    /// <summary>When a worker that passed its deadline gets SIGKILL, after its stack dump.</summary>
    public DateTimeOffset? KillAt { get; set; }

    public bool SendClosed { get; set; }

    /// <summary>When the heartbeat's PING now unanswered was sent; null when none is.</summary>
    public DateTimeOffset? PingSentAt { get; set; }

    /// <summary>When the worker last answered a PING (its start, before the first): the next is due an interval later.</summary>
    public DateTimeOffset AnsweredAt { get; set; }

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

    /// <summary>Closes this worker's open WebSockets with 1001 and <paramref name="reason"/>; false if that was already done.</summary>
    public bool GoAway(string reason, DateTimeOffset now)
    {
        if (WentAwayAt is not null)
        {
            return false;
        }

        GoingAwayReason = reason;
        WentAwayAt = now;
        WebSocketsClosed = Volatile.Read(ref _webSockets);
        _goingAway.Cancel();
        return true;
    }

    /// <summary>Called by the supervisor once the process is gone.</summary>
    public void Dispose() => _goingAway.Dispose();

    public override string ToString() => $"worker {Id} (pid {Pid})";
}
