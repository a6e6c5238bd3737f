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
/// alone until its file changes again. The apps of berth.yml are never touched, and berth.yml wins a name both
/// define: a file naming an app of berth.yml is refused (the error names both places), and an app of this
/// directory that a reload of berth.yml now defines too leaves the routes at once and is stopped on the loop.
/// Refused files are listed by <see cref="Ignored"/> for <c>berth status</c>.
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
    private readonly Dictionary<string, IgnoredAppFile> _refused = new(StringComparer.Ordinal); // files last found with errors, by app name
    private bool _unreadableReported;
    private volatile bool _berthYmlChanged; // set by a reload; the loop then stops the apps berth.yml took over

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

    /// <summary>The files last found with errors, by name, with their errors: what <c>berth status</c> lists.</summary>
    public ImmutableArray<IgnoredAppFile> Ignored { get; private set; } = [];

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
        if (_berthYmlChanged)
        {
            _berthYmlChanged = false;
            await YieldToBerthYmlAsync();
        }

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

    /// <summary>App name → file, for each app file of the directory.</summary>
    private Dictionary<string, (string Path, FileStamp Stamp)> ListFiles() =>
        ConfigLoader.AppFilesIn(_directory).ToDictionary(
            f => Path.GetFileNameWithoutExtension(f.Name), f => (f.FullName, new FileStamp(f.LastWriteTimeUtc, f.Length)), StringComparer.Ordinal);

    /// <summary>After a reload of berth.yml: an app of this directory that berth.yml now defines too is stopped (the
    /// routes left it already, <see cref="ComposeOver"/>), and every refused file gets another look, against the new
    /// berth.yml — the one just stopped is refused again, with the error that names both places.</summary>
    private async Task YieldToBerthYmlAsync()
    {
        foreach (Vassal vassal in _running.Values.Where(v => DefinedInBerthYml(v.File.App.Name)).ToArray())
        {
            string name = vassal.File.App.Name;
            string shown = Shown(vassal.File.Path);
            _running.Remove(name);
            _seen.Remove(name);
            Publish();
            LogTakenOver(shown, name, _berthYml.SourceMap.Locate(ConfigPath.App(name), _berthYml.Apps.First(a => a.Name == name).Source).Source.ToString());
            await AppLauncher.StopAsync(vassal.Supervisor, _berthYml.Server.GracefulTimeout);
            LogStopped(shown, name);
        }

        foreach (string refused in _refused.Keys)
        {
            _seen.Remove(refused);
        }
    }

    private bool DefinedInBerthYml(string app) => _berthYml.Apps.Any(a => a.Name == app);

    private async Task ApplyAsync(string name, string path, CancellationToken cancellationToken)
    {
        string shown = Shown(path);
        AppFileResult result = ConfigLoader.LoadAppFile(path, shown, Compose(except: name));
        _running.TryGetValue(name, out Vassal? vassal);
        if (!result.IsValid)
        {
            _refused[name] = new IgnoredAppFile(shown, result.Errors.Select(e => e.ToString()).ToArray());
            Ignored = [.. _refused.Values.OrderBy(f => f.File, StringComparer.Ordinal)];
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

        Forgive(name);
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
        Forgive(name);
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
        foreach (string refused in _refused.Keys)
        {
            _seen.Remove(refused);
        }
    }

    private void Forgive(string name)
    {
        if (_refused.Remove(name))
        {
            Ignored = [.. _refused.Values.OrderBy(f => f.File, StringComparer.Ordinal)];
        }
    }

    /// <summary>berth.yml read again by a full reload, with the running apps of apps_dir added, but for those it now
    /// defines itself: berth.yml wins, and the loop stops them (it is asked to scan). The directory's next changes
    /// compose with it too. The apps' files were checked against the berth.yml of their last change.</summary>
    public BerthConfig ComposeOver(BerthConfig berthYml)
    {
        _berthYml = berthYml;
        _berthYmlChanged = true;
        Config = _files.Where(f => !DefinedInBerthYml(f.App.Name)).Aggregate(berthYml, (config, file) => file.AddTo(config));
        Apps = Apps.RemoveRange(berthYml.Apps.Select(a => a.Name));
        WantScan();
        return Config;
    }

    private void Publish()
    {
        Config = Compose(except: null);
        _files = _running.Values.Select(v => v.File).OrderBy(f => f.App.Name, StringComparer.Ordinal).ToArray();
        Apps = _running.Where(v => !DefinedInBerthYml(v.Key)).ToImmutableDictionary(v => v.Key, v => v.Value.Supervisor, StringComparer.Ordinal);
        _changed();
    }

    /// <summary>berth.yml with the running apps of apps_dir, but for <paramref name="except"/> and those berth.yml
    /// defines itself, added in name order.</summary>
    private BerthConfig Compose(string? except) =>
        _running.Values.Where(v => v.File.App.Name != except && !DefinedInBerthYml(v.File.App.Name)).OrderBy(v => v.File.App.Name, StringComparer.Ordinal)
            .Aggregate(_berthYml, (config, vassal) => vassal.File.AddTo(config));

    private string Shown(string path) => ConfigLoader.AppFileShown(_berthYml, path);
}
