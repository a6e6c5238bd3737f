using Microsoft.Extensions.Logging;

namespace Berth.Workers;

public sealed partial class AppSupervisor
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "worker {WorkerId} (pid {Pid}) ready, capacity {Capacity}")]
    private partial void LogWorkerReady(int workerId, int pid, int capacity);

    /// <summary>Planned exits (shutdown, reload, recycling, scale-down) are information; the others are the ones an operator must look at.</summary>
    [LoggerMessage(EventId = 101, Message = "worker {WorkerId} (pid {Pid}) exited: {Exit}; cause: {Cause}; served {Served} requests; RSS {RssMb:F1} MB; last request: {LastRequest}; lived {Seconds:F1}s")]
    private partial void LogDeathRecord(LogLevel level, int workerId, int pid, string exit, string cause, long served, double rssMb, string lastRequest, double seconds);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "app failed: {Reason}")]
    private partial void LogAppFailed(string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "worker {WorkerId} (pid {Pid}) still busy after the {Seconds}s graceful timeout; killing it")]
    private partial void LogKilledAtShutdown(int workerId, int pid, double seconds);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "a process connected to the worker socket without a valid HELLO: {Reason}")]
    private partial void LogBadHello(string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "supervisor error")]
    private partial void LogSupervisorError(Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "worker {WorkerId} (pid {Pid}) exceeded timeout {Timeout}s on {Request} ({Elapsed:F1}s); the client got 504. Its Python stack follows; the worker is being replaced. Raise `timeout:` or make the view faster.")]
    private partial void LogDeadline(int workerId, int pid, double timeout, string request, double elapsed);

    [LoggerMessage(EventId = 115, Level = LogLevel.Error, Message = "worker {WorkerId} (pid {Pid}) is unresponsive: idle, it has not answered a ping in {Seconds:F1}s (heartbeat:), so something holds it outside any request, such as a thread holding the GIL or a deadlock. Its Python stack follows; the worker is being replaced.")]
    private partial void LogUnresponsive(int workerId, int pid, double seconds);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "recycling worker {WorkerId} (pid {Pid}): {Why}; it finishes its requests once a replacement is ready")]
    private partial void LogRecycling(int workerId, int pid, string why);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "reloading: starting new workers to replace {Count} (generation {Generation})")]
    private partial void LogReloading(int count, int generation);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "reloaded: {Count} new workers ready")]
    private partial void LogReloaded(int count);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "reload stopped, the old workers keep serving; the new code failed to import:\n{Error}")]
    private partial void LogReloadFailed(string error);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "scaled from {Before} to {After} workers")]
    private partial void LogScaled(int before, int after);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "worker {WorkerId} (pid {Pid}): closing its {Count} open WebSockets with 1001 Going Away: {Why}")]
    private partial void LogClosingWebSockets(int workerId, int pid, int count, string why);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "worker {WorkerId} (pid {Pid}) still has {Count} requests {Seconds:F0}s after its WebSockets were closed; killing it. An app that ends its WebSocket handler on websocket.disconnect (and awaits, so cancellation reaches it) leaves in time.")]
    private partial void LogKilledAfterDrain(int workerId, int pid, int count, double seconds);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "zygote (pid {Pid}) importing {Module} once, to fork the workers from (preload)")]
    private partial void LogZygoteStarted(int pid, string module);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "zygote (pid {Pid}) imported the app in {Seconds:F1}s; forking workers")]
    private partial void LogZygoteReady(int pid, double seconds);

    [LoggerMessage(EventId = 122, Level = LogLevel.Information, Message = "zygote (pid {Pid}) exited: {Exit}")]
    private partial void LogZygoteExited(int pid, string exit);

    [LoggerMessage(EventId = 123, Level = LogLevel.Error, Message = "zygote (pid {Pid}) died: {Exit}. Its {Workers} workers are stopped, since nothing reports their exits any more, and forked again from a new zygote.")]
    private partial void LogZygoteLost(int pid, string exit, int workers);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "{Prefix}{Line}")]
    private partial void LogWorkerOutput(string prefix, string line);
}
