using System.Threading.Channels;

namespace Berth.Workers;

public sealed partial class AppsDirectory
{
    // An editor's save is several events (write a temporary file, rename it over, set its mode), and a copy of a
    // long file is many writes: a scan waits this long after the first so that it sees the file whole.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    // The safety net under inotify; uWSGI's emperor scans its directory every 3 s too (emperor-freq).
    private static readonly TimeSpan RescanEvery = TimeSpan.FromSeconds(3);

    // One pending scan is enough: a scan reads the whole directory, so it answers every event before it.
    private readonly Channel<bool> _scanWanted = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileSystemWatcher? _watcher;
    private ITimer? _rescan;
    private Task _loop = Task.CompletedTask;

    /// <summary>Starts watching, then starts the apps of the files there now, and returns when each has started
    /// or failed. Changes from here on wait for <see cref="Run"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Watch();
        await ScanOrLogAsync(cancellationToken);
    }

    /// <summary>Follows the directory until <paramref name="cancellationToken"/> fires.</summary>
    public void Run(CancellationToken cancellationToken) => _loop = LoopAsync(cancellationToken);

    private void Watch()
    {
        _rescan = _time.CreateTimer(_ => WantScan(), null, RescanEvery, RescanEvery);
        try
        {
            // No filter: `mv blog.yml blog.yml.off` must count, and a scan costs one stat per file.
            _watcher = new FileSystemWatcher(_directory) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            _watcher.Created += (_, _) => WantScan();
            _watcher.Changed += (_, _) => WantScan();
            _watcher.Deleted += (_, _) => WantScan();
            _watcher.Renamed += (_, _) => WantScan();
            _watcher.Error += (_, _) => WantScan(); // the kernel's queue overflowed: events were lost
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            // The directory is missing, or the user's inotify watches are used up: the rescan still sees changes, later.
            LogWatchUnavailable(_directory, e.Message, RescanEvery.TotalSeconds);
        }
    }

    private void WantScan() => _scanWanted.Writer.TryWrite(true);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _scanWanted.Reader.WaitToReadAsync(cancellationToken))
            {
                await Task.Delay(Debounce, _time, cancellationToken);
                _scanWanted.Reader.TryRead(out _);
                await ScanOrLogAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
    }

    /// <summary>A scan whose failure, whatever it is, is logged: no file may take the server down.</summary>
    private async Task ScanOrLogAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ScanAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogScanFailed(e);
        }
    }

    /// <summary>Stops following the directory; the apps keep running (the master stops them with the others).</summary>
    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        if (_rescan is not null)
        {
            await _rescan.DisposeAsync();
        }

        _scanWanted.Writer.TryComplete();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
