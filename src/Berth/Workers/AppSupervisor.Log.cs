using Microsoft.Extensions.Logging;

namespace Berth.Workers;

public sealed partial class AppSupervisor
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "worker {WorkerId} (pid {Pid}) ready, capacity {Capacity}")]
    private partial void LogWorkerReady(int workerId, int pid, int capacity);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "worker {WorkerId} (pid {Pid}) exited: {Exit}; cause: {Cause}; served {Served} requests; last request: {LastRequest}; lived {Seconds:F1}s")]
    private partial void LogDeathRecord(int workerId, int pid, string exit, string cause, long served, string lastRequest, double seconds);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "app failed: {Reason}")]
    private partial void LogAppFailed(string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "worker {WorkerId} (pid {Pid}) still busy after the {Seconds}s graceful timeout; killing it")]
    private partial void LogKilledAtShutdown(int workerId, int pid, double seconds);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "a process connected to the worker socket without a valid HELLO: {Reason}")]
    private partial void LogBadHello(string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "supervisor error")]
    private partial void LogSupervisorError(Exception exception);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "{Prefix}{Line}")]
    private partial void LogWorkerOutput(string prefix, string line);
}
