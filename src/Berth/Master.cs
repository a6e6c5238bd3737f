using System.Runtime.InteropServices;
using Berth.Config;
using Berth.Edge;
using Berth.Workers;
using Microsoft.Extensions.Logging;

namespace Berth;

/// <summary>
/// <c>berth serve</c>: starts every app's workers, then the edge; on SIGTERM/SIGINT stops accepting,
/// lets in-flight requests finish within the graceful timeout, stops the workers and exits 0.
/// </summary>
public sealed partial class Master
{
    // Exit codes: 2 is a configuration error (like `berth check`), 3 an app that cannot boot (gunicorn's WORKER_BOOT_ERROR).
    public const int ExitBootError = 3;

    private readonly BerthConfig _config;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public Master(BerthConfig config, ILoggerFactory logs, TimeProvider time)
    {
        _config = config;
        _logs = logs;
        _logger = logs.CreateLogger("berth.master");
        _time = time;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) > 1 && context.Signal == PosixSignal.SIGTERM)
            {
                Environment.Exit(1); // a second SIGTERM forces, as with gunicorn
            }

            stop.Cancel();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        string runtime = _config.Server.RuntimeDir ?? Path.Combine(Path.GetTempPath(), $"berth-{Environment.ProcessId}");
        Directory.CreateDirectory(runtime);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string shim = WorkerShim.WriteTo(runtime);
        var apps = new Dictionary<string, AppSupervisor>();
        try
        {
            foreach (AppConfig app in _config.Apps)
            {
                apps[app.Name] = new AppSupervisor(app, shim, runtime, _logs, _time);
            }

            try
            {
                await Task.WhenAll(apps.Values.Select(a => a.StartAsync(stop.Token)));
            }
            catch (AppBootException e)
            {
                string app = apps.Values.FirstOrDefault(a => a.FailedReason is not null)?.App.Name ?? "?";
                LogBootFailed(app, e.Message.TrimEnd());
                await StopAppsAsync(apps.Values, TimeSpan.FromSeconds(5));
                return ExitBootError;
            }
            catch (OperationCanceledException)
            {
                await StopAppsAsync(apps.Values, _config.Server.GracefulTimeout);
                return 0;
            }

            await using var edge = new EdgeServer(_config, apps, runtime, _logs, _time);
            await edge.StartAsync(stop.Token);
            foreach (AppConfig app in _config.Apps)
            {
                LogServing(app.Name, app.Module, app.Workers, app.Threads);
            }

            LogListening(string.Join(", ", edge.Listeners.Select(l => l.IsUnix ? l.ToString() : "http://" + l)));

            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            TimeSpan grace = _config.Server.GracefulTimeout;
            LogShuttingDown(grace.TotalSeconds);
            long started = _time.GetTimestamp();
            using (var graceToken = new CancellationTokenSource(grace, _time))
            {
                await edge.StopAsync(graceToken.Token);
            }

            TimeSpan left = grace - _time.GetElapsedTime(started);
            await StopAppsAsync(apps.Values, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            LogStopped();
            return 0;
        }
        finally
        {
            foreach (AppSupervisor app in apps.Values)
            {
                await app.DisposeAsync();
            }

            if (_config.Server.RuntimeDir is null)
            {
                try
                {
                    Directory.Delete(runtime, recursive: true);
                }
                catch (IOException)
                {
                    // a file still in use; the OS cleans /tmp
                }
            }
        }
    }

    private static Task StopAppsAsync(IEnumerable<AppSupervisor> apps, TimeSpan timeout) =>
        Task.WhenAll(apps.Select(a => a.StopAsync(timeout)));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "serving app {App} ({Module}) with {Workers} workers × {Threads} threads")]
    private partial void LogServing(string app, string module, int workers, int threads);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "listening on {Addresses}")]
    private partial void LogListening(string addresses);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "shutting down: finishing in-flight requests (up to {Seconds}s)")]
    private partial void LogShuttingDown(double seconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "app {App} cannot start:\n{Error}")]
    private partial void LogBootFailed(string app, string error);
}
