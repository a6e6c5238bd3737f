namespace Berth.Dispatch;

/// <summary>What the dispatcher needs to know of a worker: how many requests it runs at once and how
/// many it has now. The counter is changed only with Interlocked, so the request path takes no lock.</summary>
public interface IWorkerTarget
{
    int Capacity { get; }

    /// <summary>Reference to the in-flight counter, for Interlocked operations.</summary>
    ref int InFlight { get; }

    /// <summary>
    /// False once the supervisor retires the worker. A request may still hold the snapshot that
    /// listed it; the dispatcher re-checks this after reserving a place and backs off, so a draining
    /// worker never gets a request after the supervisor saw it idle.
    /// </summary>
    bool Accepting { get; }
}
