using Microsoft.Extensions.Logging;

namespace Berth.Workers;

public sealed partial class AppsDirectory
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{File}: starting app {App} ({Module}) with {Workers} workers")]
    private partial void LogStarting(string file, string app, string module, int workers);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "{File}: app {App} is ready and served {Where}")]
    private partial void LogStarted(string file, string app, string where);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "{File}: app {App} cannot start, so the file is ignored until it changes; the Python traceback is above")]
    private partial void LogBootFailed(string file, string app);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "{File}: app {App} was not ready after {Seconds}s, so it was stopped and the file is ignored until it changes; its workers' output is above")]
    private partial void LogBootTimedOut(string file, string app, double seconds);

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "{File}: app {App} cannot start: {Reason}")]
    private partial void LogCannotStart(string file, string app, string reason);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "{File} changed: reloading app {App} ({Module}) with {Workers} workers")]
    private partial void LogReloading(string file, string app, string module, int workers);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "{File}: app {App} reloaded and served {Where}")]
    private partial void LogReloaded(string file, string app, string where);

    [LoggerMessage(EventId = 407, Level = LogLevel.Error, Message = "{File}: app {App} was not reloaded and keeps running with its previous settings: {Reason}")]
    private partial void LogReloadFailed(string file, string app, string reason);

    [LoggerMessage(EventId = 408, Level = LogLevel.Error, Message = "{File}: the new workers of app {App} were not ready after {Seconds}s; the old ones keep serving")]
    private partial void LogReloadTimedOut(string file, string app, double seconds);

    [LoggerMessage(EventId = 409, Level = LogLevel.Error, Message = "{File} has errors and is ignored until it changes:\n{Errors}")]
    private partial void LogIgnored(string file, string errors);

    [LoggerMessage(EventId = 410, Level = LogLevel.Error, Message = "{File} has errors; app {App} keeps running with its previous settings:\n{Errors}")]
    private partial void LogKeptRunning(string file, string app, string errors);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "{File} removed: app {App} no longer takes requests; stopping it")]
    private partial void LogRemoved(string file, string app);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "{File} removed: app {App} stopped")]
    private partial void LogStopped(string file, string app);

    [LoggerMessage(EventId = 413, Level = LogLevel.Information, Message = "{File} removed (it ran no app)")]
    private partial void LogForgotten(string file);

    [LoggerMessage(EventId = 414, Level = LogLevel.Warning, Message = "apps_dir {Directory} cannot be read ({Reason}); its apps keep running as they are until it can")]
    private partial void LogDirectoryUnreadable(string directory, string reason);

    [LoggerMessage(EventId = 415, Level = LogLevel.Warning, Message = "cannot watch apps_dir {Directory} ({Reason}); changes there are noticed by a rescan every {Seconds}s instead")]
    private partial void LogWatchUnavailable(string directory, string reason, double seconds);

    [LoggerMessage(EventId = 417, Level = LogLevel.Error, Message = "{File}: berth.yml now defines an app named {App} too, at {DefinedAt}, and berth.yml wins: this file's app no longer takes requests; stopping it. Rename this file to serve both")]
    private partial void LogTakenOver(string file, string app, string definedAt);

    [LoggerMessage(EventId = 416, Level = LogLevel.Error, Message = "scanning apps_dir failed; the next change or rescan tries again")]
    private partial void LogScanFailed(Exception exception);
}
