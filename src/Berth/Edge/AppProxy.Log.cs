using Microsoft.Extensions.Logging;

namespace Berth.Edge;

public sealed partial class AppProxy
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "app {App}: worker {WorkerId} (pid {Pid}) was lost during {Method} {Path}: {Reason}; the client got 502")]
    private partial void LogWorkerLost(string app, int workerId, int pid, string method, string path, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "app {App}: every worker runs its {Capacity} requests at once ({Knob}) and the wait queue is full ({QueueSize}); answering 503. Raise {Knob} (an open WebSocket or stream holds its place for its whole life), add workers (workers:) or raise queue:")]
    private partial void LogQueueFull(string app, int capacity, string knob, int queueSize);
}
