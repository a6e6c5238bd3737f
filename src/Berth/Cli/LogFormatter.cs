using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Berth.Cli;

/// <summary>
/// One line per event, gunicorn-like: <c>2026-11-22 03:50:01 [demo] worker 1 (pid 42) ready</c>.
/// The category is shortened to the app or subsystem, which is what a reader scans for.
/// </summary>
public sealed class LogFormatter : ConsoleFormatter
{
    public const string FormatterName = "berth";

    public LogFormatter() : base(FormatterName) { }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        string level = logEntry.LogLevel switch
        {
            LogLevel.Warning => "WARN ",
            LogLevel.Error => "ERROR ",
            LogLevel.Critical => "FATAL ",
            LogLevel.Debug or LogLevel.Trace => "debug ",
            _ => "",
        };
        string category = logEntry.Category.StartsWith("berth.app.", StringComparison.Ordinal) ? logEntry.Category["berth.app.".Length..]
            : logEntry.Category.StartsWith("berth.", StringComparison.Ordinal) ? logEntry.Category["berth.".Length..]
            : logEntry.Category;
        textWriter.Write(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write('[');
        textWriter.Write(category);
        textWriter.Write("] ");
        textWriter.Write(level);
        textWriter.WriteLine(message);
        if (logEntry.Exception is { } exception)
        {
            textWriter.WriteLine(exception.ToString());
        }
    }

    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddConsole(options =>
        {
            options.FormatterName = FormatterName;
            // Errors go to stderr like gunicorn's error log; everything else stays on stdout with the access log.
            options.LogToStandardErrorThreshold = LogLevel.Error;
        });
        logging.AddConsoleFormatter<LogFormatter, ConsoleFormatterOptions>();
    });
}
