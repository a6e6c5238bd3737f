using Microsoft.Extensions.Logging;

namespace Berth.Control;

public sealed partial class ControlServer
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "control socket listening on {Path}")]
    private partial void LogListening(string path);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "control: reload of {App} requested")]
    private partial void LogReloadRequested(string app);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "control: scale {App} to {Workers} workers requested")]
    private partial void LogScaleRequested(string app, int workers);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "control: stop requested")]
    private partial void LogStopRequested();

    [LoggerMessage(EventId = 304, Level = LogLevel.Debug, Message = "control: refused a request: {Error}")]
    private partial void LogRefused(string error);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "control: {Command} failed inside berth")]
    private partial void LogCommandFailed(string command, Exception exception);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "control: a connection ended abruptly: {Reason}")]
    private partial void LogConnectionLost(string reason);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "control: removed the stale socket {Path} left by a berth that did not exit cleanly")]
    private partial void LogRemovedStale(string path);

    [LoggerMessage(EventId = 308, Level = LogLevel.Error, Message = "control: a connection failed")]
    private partial void LogConnectionFailed(Exception exception);
}
