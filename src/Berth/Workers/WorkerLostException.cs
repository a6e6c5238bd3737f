namespace Berth.Workers;

/// <summary>The worker's connection ended while a request was in flight: the process died or was killed.</summary>
public sealed class WorkerLostException : Exception
{
    public WorkerLostException(string message) : base(message) { }

    public WorkerLostException() { }

    public WorkerLostException(string message, Exception inner) : base(message, inner) { }
}
