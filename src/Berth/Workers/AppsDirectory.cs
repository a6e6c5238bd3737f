using System.Collections.Immutable;
using Berth.Config;
using Berth.Control;
using Microsoft.Extensions.Logging;

namespace Berth.Workers;

/// <summary>
/// uWSGI's emperor, with the files of apps_dir as its vassals: each file is one app. A new file starts its app,
/// and routes reach the app only once its workers are ready; a changed (or touched) file reloads the app, rolling,
/// with the file's new settings; a removed file takes the app's routes away first, then stops it. A file with
/// errors changes nothing — a new app is not started, a running one keeps its last good settings — and is
/// reported with file:line; so is an app that cannot boot (its supervisor logs the traceback). Either is left
/// alone until its file changes again. The apps of berth.yml are never touched.
///
/// Every change is made on one loop, as in a supervisor: scans are asked for by a FileSystemWatcher, a moment
/// after the last event (<see cref="AppsDirectory.Watch"/>), and by a periodic rescan, since inotify drops events
/// when its queue overflows and sees none on network file systems. A scan compares each file's modification time
/// and size with those it last acted on.
/// </summary>
public sealed partial class AppsDirectory : IAsyncDisposable
{
    private volatile BerthConfig _berthYml; // replaced when a reload reads berth.yml again
    private volatile AppFile[] _files = []; // those of the running apps, in name order, for ComposeOver
    private readonly string _directory;
    private readonly AppLauncher _launcher;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Action _changed;
    private readonly Dictionary<string, Vassal> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileStamp> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal); // files last found with errors
    private bool _unreadableReported;

    /// <param name="berthYml">The configuration from berth.yml (and flags); its <see cref="ServerSettings.AppsDir"/> is watched.</param>
    /// <param name="changed">Called on the loop after <see cref="Config"/> and <see cref="Apps"/> changed: publish the routes.</param>
    public AppsDirectory(BerthConfig berthYml, string shimPath, string runtimeDirectory, ILoggerFactory logs, TimeProvider time, Action changed)
    {
        _berthYml = berthYml;
        _directory = berthYml.Server.AppsDir ?? throw new ArgumentException("the configuration has no apps_dir", nameof(berthYml));
        _launcher = new AppLauncher(shimPath, runtimeDirectory, logs, time);
        _log = logs.CreateLogger("berth.apps_dir");
        _time = time;
        _changed = changed;
        Config = berthYml;
    }

    /// <summary>berth.yml plus every app of apps_dir that runs: what the edge routes by.</summary>
    public BerthConfig Config { get; private set; }

    /// <summary>The apps of apps_dir that run, by name.</summary>
    public ImmutableDictionary<string, AppSupervisor> Apps { get; private set; } = ImmutableDictionary<string, AppSupervisor>.Empty;

    private sealed record Vassal(AppFile File, AppSupervisor Supervisor);

    private readonly record struct FileStamp(DateTime Written, long Length);

    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, (string Path, FileStamp Stamp)> files;
        try
        {
            files = ListFiles();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Likely a deploy swapping the directory: stopping every app for it would be the worse mistake.
            if (!_unreadableReported)
            {
                LogDirectoryUnreadable(_directory, e.Message);
                _unreadableReported = true;
            }

            return;
        }

        _unreadableReported = false;
        foreach (string name in _seen.Keys.Where(n => !files.ContainsKey(n)).Order(StringComparer.Ordinal).ToArray())
        {
            await RemoveAsync(name);
        }

        foreach ((string name, (string path, FileStamp stamp)) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!_seen.TryGetValue(name, out FileStamp last) || last != stamp)
            {
                _seen[name] = stamp;
                await ApplyAsync(name, path, cancellationToken);
            }
        }
    }

    /// <summary>App name → file: every NAME.yml directly in the directory, except hidden ones (an editor's
    /// <c>.#blog.yml</c>).</summary>
    private Dictionary<string, (string Path, FileStamp Stamp)> ListFiles()
    {
        var files = new Dictionary<string, (string, FileStamp)>(StringComparer.Ordinal);
        foreach (FileInfo file in new DirectoryInfo(_directory).EnumerateFiles("*.yml"))
        {
            if (!file.Name.StartsWith('.') && file.Extension == ".yml")
            {
                files[Path.GetFileNameWithoutExtension(file.Name)] = (file.FullName, new FileStamp(file.LastWriteTimeUtc, file.Length));
            }
        }

        return files;
    }

    private async Task ApplyAsync(string name, string path, CancellationToken cancellationToken)
    {
        string shown = Shown(path);
        AppFileResult result = ConfigLoader.LoadAppFile(path, shown, Compose(except: name));
        _running.TryGetValue(name, out Vassal? vassal);
        if (!result.IsValid)
        {
            _refused.Add(name);
            string errors = string.Join("\n", result.Errors.Select(e => "  " + e));
            if (vassal is null)
            {
                LogIgnored(shown, errors);
            }
            else
            {
                LogKeptRunning(shown, name, errors);
            }

            return;
        }

        _refused.Remove(name);
        if (vassal is null)
        {
            await StartAsync(shown, result.File!, cancellationToken);
        }
        else
        {
            await ReloadAsync(shown, vassal, result.File!, cancellationToken);
        }
    }

    private async Task StartAsync(string shown, AppFile file, CancellationToken cancellationToken)
    {
        AppConfig app = file.App;
        LogStarting(shown, app.Name, app.Module, app.Workers);
        AppLauncher.Launch launch = await _launcher.StartAsync(app, cancellationToken);
        switch (launch.Failure)
        {
            case AppLauncher.Failure.CannotStart:
                LogCannotStart(shown, app.Name, launch.Reason);
                return;
            case AppLauncher.Failure.BootFailed:
                LogBootFailed(shown, app.Name);
                return;
            case AppLauncher.Failure.BootTimedOut:
                LogBootTimedOut(shown, app.Name, AppLauncher.BootLimit.TotalSeconds);
                return;
        }

        _running[app.Name] = new Vassal(file, launch.Supervisor!);
        Publish();
        LogStarted(shown, app.Name, file.Where);
    }

    private async Task ReloadAsync(string shown, Vassal vassal, AppFile file, CancellationToken cancellationToken)
    {
        AppConfig app = file.App;
        LogReloading(shown, app.Name, app.Module, app.Workers);
        ControlResult result;
        try
        {
            result = await vassal.Supervisor.ReloadAsync(app).WaitAsync(AppLauncher.BootLimit, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            LogReloadTimedOut(shown, app.Name, AppLauncher.BootLimit.TotalSeconds);
            return;
        }

        if (!result.Ok)
        {
            LogReloadFailed(shown, app.Name, result.Message.Split('\n')[0]);
            return;
        }

        _running[app.Name] = vassal with { File = file };
        Publish();
        LogReloaded(shown, app.Name, file.Where);
    }

    private async Task RemoveAsync(string name)
    {
        _seen.Remove(name);
        _refused.Remove(name);
        string shown = Shown(Path.Combine(_directory, name + ".yml"));
        if (!_running.Remove(name, out Vassal? vassal))
        {
            LogForgotten(shown);
            return;
        }

        Publish(); // no request reaches the app from here on; those it has, it finishes
        LogRemoved(shown, name);
        await AppLauncher.StopAsync(vassal.Supervisor, _berthYml.Server.GracefulTimeout);
        LogStopped(shown, name);

        // A file refused because its prefix, host or name clashed with this app's gets another look in this scan.
        foreach (string refused in _refused)
        {
            _seen.Remove(refused);
        }
    }

    /// <summary>berth.yml read again by a full reload, with the running apps of apps_dir added; the directory's next
    /// changes compose with it too. The apps' files were checked against the berth.yml of their last change.</summary>
    public BerthConfig ComposeOver(BerthConfig berthYml)
    {
        _berthYml = berthYml;
        Config = _files.Aggregate(berthYml, (config, file) => file.AddTo(config));
        return Config;
    }

    private void Publish()
    {
        Config = Compose(except: null);
        _files = _running.Values.Select(v => v.File).OrderBy(f => f.App.Name, StringComparer.Ordinal).ToArray();
        Apps = _running.ToImmutableDictionary(v => v.Key, v => v.Value.Supervisor, StringComparer.Ordinal);
        _changed();
    }

    /// <summary>berth.yml with the running apps of apps_dir, but for <paramref name="except"/>, added in name order.</summary>
    private BerthConfig Compose(string? except) =>
        _running.Values.Where(v => v.File.App.Name != except).OrderBy(v => v.File.App.Name, StringComparer.Ordinal)
            .Aggregate(_berthYml, (config, vassal) => vassal.File.AddTo(config));

    /// <summary>The file as logs and errors name it: relative to berth.yml's directory when it is below it (apps.d/blog.yml).</summary>
    private string Shown(string path)
    {
        string baseDirectory = Path.GetDirectoryName(_berthYml.Path) ?? Directory.GetCurrentDirectory();
        string relative = Path.GetRelativePath(baseDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
