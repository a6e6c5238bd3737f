using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Berth.Acme;
using Berth.Config;
using Berth.Control;
using Berth.Edge;
using Berth.Tls;
using Berth.Workers;
using Microsoft.Extensions.Logging;

namespace Berth;

/// <summary>
/// <c>berth serve</c>: starts every app's workers — berth.yml's, then those of the files in apps_dir
/// (<see cref="AppsDirectory"/>) — then the edge; on SIGTERM/SIGINT stops accepting, lets in-flight requests
/// finish within the graceful timeout, stops the workers and exits 0.
/// </summary>
public sealed partial class Master : IServerControl, IDisposable
{
    // Exit codes: 2 is a configuration error (like `berth check`), 3 an app that cannot boot (gunicorn's WORKER_BOOT_ERROR).
    public const int ExitBootError = 3;

    // 4: the control socket is taken by another berth serve (or unusable).
    public const int ExitControlSocket = 4;

    // berth.yml's settings (with the flags on top); a full reload replaces its sites and apps, never its server: settings.
    private volatile BerthConfig _config;
    private readonly Func<ConfigResult>? _readConfigAgain;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private readonly CancellationTokenSource _stop = new();

    private readonly string _controlPath;
    private readonly PidFile? _pidFile;

    // 5: a certificate cannot be loaded or made.
    public const int ExitCertificate = 5;

    // How often the tls: internal loop looks even when nothing is due: a reload may have changed the sites.
    private static readonly TimeSpan InternalLeafCheck = TimeSpan.FromHours(1);

    private readonly Http01Challenges _challenges = new();
    private readonly TlsAlpnChallenges _tlsAlpn = new();
    private LocalCa? _localCa;
    private AcmeCertificates? _acme;

    // The ACME renewal loop: started with the first tls: acme site once the edge answers challenges, at the start or
    // at the reload that adds that site (RunAcmeRenewals); under the lock, since a reload may come during the start.
    private readonly Lock _acmeLoopLock = new();
    private Task? _acmeLoop;
    private CancellationToken _serving;
    private volatile EdgeServer? _edge;
    private volatile CertificateStore? _published; // what the edge hands out now

    // Every app by name, berth.yml's and apps_dir's: replaced whole when apps_dir changes, read by the control socket.
    private volatile ImmutableDictionary<string, AppSupervisor> _apps = ImmutableDictionary<string, AppSupervisor>.Empty;

    // The apps of berth.yml alone, by name: replaced by a full reload.
    private volatile ImmutableDictionary<string, AppSupervisor> _berthYmlApps = ImmutableDictionary<string, AppSupervisor>.Empty;
    private AppLauncher? _launcher;
    private volatile AppsDirectory? _appsDir;

    /// <param name="readConfigAgain">Reads berth.yml again and applies the flags on top, as at the start; null when
    /// berth serves without a file, and a full reload then restarts the workers with the settings it has.</param>
    public Master(BerthConfig config, string controlPath, ILoggerFactory logs, TimeProvider time, PidFile? pidFile = null, Func<ConfigResult>? readConfigAgain = null)
    {
        _readConfigAgain = readConfigAgain;
        _controlPath = controlPath;
        _pidFile = pidFile;
        _config = config;
        _logs = logs;
        _logger = logs.CreateLogger("berth.master");
        _time = time;
        _startedAt = time.GetUtcNow();
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
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

        // gunicorn's signals: HUP reloads every app, TTIN/TTOU add or remove one worker per app.
        using PosixSignalRegistration hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = ReloadAsync(null, CancellationToken.None);
        });
        using PosixSignalRegistration more = PosixSignalRegistration.Create(PosixSignal.SIGTTIN, context =>
        {
            context.Cancel = true;
            ScaleEveryApp(+1);
        });
        using PosixSignalRegistration fewer = PosixSignalRegistration.Create(PosixSignal.SIGTTOU, context =>
        {
            context.Cancel = true;
            ScaleEveryApp(-1);
        });

        if (_pidFile?.ReadLiveBerth() is int running)
        {
            LogAlreadyRunning(running, _pidFile.Path);
            return ExitControlSocket;
        }

        string runtime = _config.Server.RuntimeDir ?? Path.Combine(Path.GetTempPath(), $"berth-{Environment.ProcessId}");
        Directory.CreateDirectory(runtime);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string shim = WorkerShim.WriteTo(runtime);

        // The control socket is claimed before any worker starts, so a second berth on the same
        // socket stops here instead of running next to the first one.
        var control = new ControlServer(_controlPath, this, _logs.CreateLogger("berth.control"));
        try
        {
            control.Listen();
        }
        catch (ControlSocketException e)
        {
            LogControlUnavailable(e.Message);
            return ExitControlSocket;
        }

        Task controlLoop = control.RunAsync(stop.Token);
        ImmutableDictionary<string, AppSupervisor> apps = _config.Apps.ToImmutableDictionary(a => a.Name, a => new AppSupervisor(a, shim, runtime, _logs, _time), StringComparer.Ordinal);
        _apps = _berthYmlApps = apps;
        _launcher = new AppLauncher(shim, runtime, _logs, _time);
        EdgeServer? edge = null;
        AppsDirectory? appsDir = null;
        try
        {
            try
            {
                await Task.WhenAll(apps.Values.Select(a => a.StartAsync(stop.Token)));
                if (_config.Server.AppsDir is not null)
                {
                    // Routes change on the directory's loop only, and only once the edge is there to take them.
                    appsDir = new AppsDirectory(_config, shim, runtime, _logs, _time, () =>
                    {
                        _apps = _berthYmlApps.SetItems(appsDir!.Apps);
                        edge?.Publish(appsDir.Config, _apps);
                    });
                    _appsDir = appsDir;
                    await appsDir.StartAsync(stop.Token);
                }
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
                await StopAppsAsync(_apps.Values, _config.Server.GracefulTimeout);
                return 0;
            }

            CertificateStore certificates;
            try
            {
                certificates = LoadCertificates();
            }
            catch (CertificateException e)
            {
                LogCertificateFailed(e.Message);
                await StopAppsAsync(_apps.Values, TimeSpan.FromSeconds(5));
                return ExitCertificate;
            }

            edge = new EdgeServer(appsDir?.Config ?? _config, _apps, certificates, _challenges, _tlsAlpn, runtime, _logs, _time);
            await edge.StartAsync(stop.Token);
            _published = certificates;
            lock (_acmeLoopLock)
            {
                _serving = stop.Token;
                _edge = edge;
            }

            RunAcmeRenewals();
            Task internalLoop = _localCa is null ? Task.CompletedTask : RenewInternalLeavesAsync(stop.Token);
            foreach (AppConfig app in _config.Apps)
            {
                LogServing(app.Name, app.Module, app.Workers, app.Threads);
            }

            LogListening(string.Join(", ", edge.Listeners.Select(l => l.IsUnix ? l.ToString() : (IsSecure(l) ? "https://" : "http://") + l)));
            _pidFile?.Write(Environment.ProcessId);
            appsDir?.Run(stop.Token);

            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Task? acmeLoop;
            lock (_acmeLoopLock)
            {
                acmeLoop = _acmeLoop;
            }

            await (acmeLoop ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await internalLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (appsDir is not null)
            {
                await appsDir.DisposeAsync(); // no app starts or stops behind the shutdown's back
            }

            TimeSpan grace = _config.Server.GracefulTimeout;
            LogShuttingDown(grace.TotalSeconds);
            long started = _time.GetTimestamp();

            // Open WebSockets get 1001 Going Away now rather than the drain a reload gives them: no new
            // worker is left to serve meanwhile, the listeners are already closed to their reconnects,
            // and holding the stop for them would only lengthen a restart. Their apps get
            // websocket.disconnect 1001 and end within the grace, like any other request.
            foreach (AppSupervisor app in _apps.Values)
            {
                app.CloseWebSockets();
            }

            using (var graceToken = new CancellationTokenSource(grace, _time))
            {
                await edge.StopAsync(graceToken.Token);
            }

            TimeSpan left = grace - _time.GetElapsedTime(started);
            await StopAppsAsync(_apps.Values, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            LogStopped();
            return 0;
        }
        finally
        {
            _pidFile?.DeleteIfMine(Environment.ProcessId);
            stop.Cancel();
            await controlLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (appsDir is not null)
            {
                await appsDir.DisposeAsync();
            }

            if (edge is not null)
            {
                await edge.DisposeAsync();
            }

            foreach (AppSupervisor app in _apps.Values)
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

    public ServerStatus GetStatus() =>
        new(Environment.ProcessId, _startedAt, typeof(Master).Assembly.GetName().Version?.ToString() ?? "dev", _apps.Values.Select(a => a.GetStatus()).ToArray(),
            _appsDir?.Ignored ?? []);

    public async Task<ControlResult> RenewCertificatesAsync(string? name, CancellationToken cancellationToken)
    {
        SiteConfig[] sites = _config.Sites.Where(s => s.Tls?.Mode == TlsMode.Acme && (name is null || s.Name == name || s.Hosts.Contains(name, StringComparer.OrdinalIgnoreCase))).ToArray();
        if (_acme is null || sites.Length == 0)
        {
            return new ControlResult(false, name is null ? "no site here has tls: acme" : $"no tls: acme site here is named or serves '{name}'");
        }

        var messages = new List<string>();
        bool ok = true;
        foreach (SiteConfig site in sites)
        {
            string? problem = await _acme.RenewAsync(site, cancellationToken);
            ok &= problem is null;
            messages.Add(problem ?? $"site {site.Name}: new certificate for {string.Join(", ", site.Hosts)}, valid until {_acme.NotAfter(site.Name):u}");
        }

        ReloadCertificates();
        return new ControlResult(ok, string.Join("\n", messages));
    }

    /// <summary>Starts the ACME renewal loop when there is a tls: acme site and an edge to answer its challenges, or, when
    /// it runs, wakes it to look at the sites now: a reload added one, whose certificate is missing.</summary>
    private void RunAcmeRenewals()
    {
        lock (_acmeLoopLock)
        {
            if (_acme is not { } acme || _edge is null)
            {
                return;
            }

            if (_acmeLoop is null)
            {
                _acmeLoop = acme.RunAsync(() => _config.Sites, () => ReloadCertificates(), _serving);
            }
            else
            {
                acme.Wake();
            }
        }
    }

    public IReadOnlyList<CertificateStatus> GetCertificates() =>
        _acme is null ? [] : AcmeCertificates.AcmeSites(_config.Sites).Select(_acme.StatusOf).ToArray();

    /// <summary>
    /// Issues fresh <c>tls: internal</c> leaves when the first of them has a third of its life left, and swaps them in
    /// as ACME certificates are: handshakes from then on get the new leaf, open connections keep theirs. A reload in
    /// between issues new leaves too, which only moves the next renewal later.
    /// </summary>
    private async Task RenewInternalLeavesAsync(CancellationToken cancellationToken)
    {
        TimeSpan least = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            DateTimeOffset now = _time.GetUtcNow(), wake = now + InternalLeafCheck;
            if (_published?.InternalRenewal is { } due && due < wake)
            {
                wake = due;
            }

            TimeSpan wait = wake - now;
            await Task.Delay(wait > least ? wait : least, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested || _published?.InternalRenewal is not { } renewal || _time.GetUtcNow() < renewal)
            {
                continue;
            }

            // A reload that fails (a cert: file of another site gone bad) logs its reason; try again a minute later, not every second.
            bool renewed = ReloadCertificates().Ok;
            least = renewed ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1);
            if (renewed && _published?.InternalRenewal is { } next)
            {
                LogInternalLeavesRenewed(next.UtcDateTime);
            }
        }
    }

    private bool IsSecure(ListenAddress listener) =>
        _config.Sites.Any(s => s.Tls is not null && s.Listen.Any(l => l.ToString() == listener.ToString()));

    /// <summary>Reads the certificate files again (certbot renewed them, say) and issues fresh local-CA leaves; new
    /// handshakes get them, open connections carry on. A file that fails to load keeps the old certificates serving.</summary>
    private ControlResult ReloadCertificates()
    {
        if (_edge is not { } edge || !_config.Sites.Any(s => s.Tls is not null))
        {
            return new ControlResult(true, "");
        }

        try
        {
            CertificateStore certificates = LoadCertificates();
            edge.PublishCertificates(certificates);
            _published = certificates;
            LogCertificatesReloaded();
            return new ControlResult(true, "certificates reloaded");
        }
        catch (CertificateException e)
        {
            LogCertificateFailed(e.Message);
            return new ControlResult(false, $"certificates not reloaded, the old ones still serve: {e.Message}");
        }
    }

    private CertificateStore LoadCertificates()
    {
        if (_localCa is null && _config.Sites.Any(s => s.Tls?.Mode == TlsMode.Internal))
        {
            try
            {
                _localCa = LocalCa.LoadOrCreate(new StorageDirectory(_config.Server.Storage), _time, TestLeafLifetime());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new CertificateException($"cannot set up the local CA in {_config.Server.Storage}: {e.Message}; " +
                    "let the user berth runs as write there, or set server: storage: to a directory it owns", e);
            }

            if (_localCa.Created)
            {
                LogLocalCaCreated(_localCa.RootFile, _localCa.TrustAdvice);
            }
            else
            {
                LogLocalCaLoaded(_localCa.RootFile, _localCa.TrustAdvice);
            }
        }

        if (_acme is null && _config.Sites.Any(s => s.Tls?.Mode == TlsMode.Acme))
        {
            _acme = new AcmeCertificates(_config.Server, _challenges, _tlsAlpn, _logs.CreateLogger("berth.acme"), _time);
            _acme.LoadStored(_config.Sites);
        }

        return CertificateStore.Build(_config.Sites, _localCa, _acme);
    }

    /// <summary>Test-only: BERTH_TEST_INTERNAL_LEAF_LIFETIME=SECONDS makes <c>tls: internal</c> leaves that short, so an
    /// integration test sees one renewed in seconds. Not a berth.yml setting: a week is right for every real use.</summary>
    private static TimeSpan? TestLeafLifetime() =>
        int.TryParse(Environment.GetEnvironmentVariable("BERTH_TEST_INTERNAL_LEAF_LIFETIME"), out int seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;

    public async Task<ControlResult> ScaleAsync(string app, int workers, CancellationToken cancellationToken) =>
        _apps.TryGetValue(app, out AppSupervisor? one) ? await one.ScaleAsync(workers).WaitAsync(cancellationToken) : UnknownApp(app);

    public void Stop() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();

    private ControlResult UnknownApp(string app) =>
        new(false, $"no app named '{app}' here; apps: {string.Join(", ", _apps.Keys)}");

    private void ScaleEveryApp(int change)
    {
        foreach (AppSupervisor app in _apps.Values)
        {
            int target = app.DesiredWorkers + change;
            if (target >= 1)
            {
                _ = app.ScaleAsync(target);
            }
        }
    }

    private static Task StopAppsAsync(IEnumerable<AppSupervisor> apps, TimeSpan timeout) =>
        Task.WhenAll(apps.Select(a => a.StopAsync(timeout)));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "serving app {App} ({Module}) with {Workers} workers × {Threads} threads")]
    private partial void LogServing(string app, string module, int workers, int threads);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "listening on {Addresses}")]
    private partial void LogListening(string addresses);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "berth is already running as pid {Pid} (pid file {Path}); stop it with `berth stop`, or delete the file if pid {Pid} is not a berth serve")]
    private partial void LogAlreadyRunning(int pid, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "shutting down: finishing in-flight requests (up to {Seconds}s)")]
    private partial void LogShuttingDown(double seconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 6, Level = LogLevel.Critical, Message = "{Reason}")]
    private partial void LogControlUnavailable(string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Critical, Message = "{Reason}")]
    private partial void LogCertificateFailed(string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "created a local certificate authority for tls: internal at {RootFile}; {Advice}")]
    private partial void LogLocalCaCreated(string rootFile, string advice);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "tls: internal certificates come from the local CA {RootFile}; {Advice}")]
    private partial void LogLocalCaLoaded(string rootFile, string advice);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "certificates reloaded; new connections use them, open ones keep theirs")]
    private partial void LogCertificatesReloaded();

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "tls: internal certificates issued again by the local CA before they expire; new connections use them, open ones keep theirs; next renewal at {Next:u}")]
    private partial void LogInternalLeavesRenewed(DateTime next);

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "app {App} cannot start:\n{Error}")]
    private partial void LogBootFailed(string app, string error);
}
