using System.Collections.Immutable;
using System.Net.Sockets;
using System.Threading.Channels;
using Berth.Config;
using Berth.Control;
using Berth.Dispatch;
using Berth.Protocol;
using Microsoft.Extensions.Logging;

namespace Berth.Workers;

/// <summary>
/// The arbiter of one app: owns its worker table in a single loop (gunicorn's arbiter). Process
/// exits, connections, READY, deadlines, timer ticks and control commands are posted to a channel;
/// nothing else mutates the table. The dispatcher sees only immutable snapshots of ready workers.
///
/// A worker is retired in three steps, so that no client ever sees an error from recycling: it is
/// marked (it keeps serving), a replacement is started, and when the replacement is ready the old
/// one stops taking requests, finishes what it has, and is sent EOF, on which it exits.
/// </summary>
public sealed partial class AppSupervisor : IAsyncDisposable
{
    // Respawn backoff after a crash: 100 ms doubling to 10 s; a worker that lived a minute resets it.
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    // After a missed deadline the worker gets SIGUSR1 (stack dump to the log) and this long to write it.
    private static readonly TimeSpan StackDumpGrace = TimeSpan.FromSeconds(1);

    // How long an exit waits for the process's output and connection to be read to the end
    // (LastWordsReadAsync): milliseconds normally, and not long for a process that never connected.
    private static readonly TimeSpan LastWordsWait = TimeSpan.FromSeconds(1);

    // Consecutive boot failures after which the app is marked failed instead of respawning forever.
    private const int MaxBootFailures = 5;

    // RSS samples in a row above max_memory before recycling: a single spike (a big upload) is not a leak.
    private const int MemoryStrikesToRecycle = 3;

    private const int RecentExitsKept = 20;

    private static int s_instances;

    private readonly Channel<SupervisorEvent> _events = Channel.CreateUnbounded<SupervisorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<int, WorkerSlot> _workers = [];
    private readonly Dictionary<int, string> _bootErrors = [];
    private readonly TaskCompletionSource _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket _listener;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _shimPath;
    private WorkerLauncher _launcher;
    private IReadOnlyDictionary<string, string> _fileEnvironment = new Dictionary<string, string>();
    private ITimer? _ticker;
    private Task _loop = Task.CompletedTask;
    private Task _accept = Task.CompletedTask;
    private int _nextWorkerId;
    private int _generation;
    private int _desired;
    private int _bootFailures;
    private TimeSpan _backoff = FirstBackoff;
    private bool _respawnScheduled;
    private ReloadInProgress? _reload;
    private TaskCompletionSource? _stopped;
    private volatile WorkerSlot[] _snapshot = [];
    private ImmutableList<DeathRecord> _recentExits = [];

    public AppSupervisor(AppConfig app, string shimPath, string runtimeDirectory, ILoggerFactory logs, TimeProvider time)
    {
        App = app;
        _time = time;
        _shimPath = shimPath;
        _desired = app.Workers;
        _log = logs.CreateLogger("berth.app." + app.Name);
        Dispatcher = new AppDispatcher<WorkerSlot>(app.QueueSize);
        // Numbered: an app of one name may start while the last of that name still stops (berth.yml took the name
        // over from apps_dir, or the reverse), and the one stopping deletes its socket file.
        SocketPath = Path.Combine(runtimeDirectory, $"{app.Name}.{Interlocked.Increment(ref s_instances)}.sock");
        _launcher = new WorkerLauncher(app, shimPath, SocketPath);

        File.Delete(SocketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(128);
    }

    public AppConfig App { get; private set; }

    public AppDispatcher<WorkerSlot> Dispatcher { get; }

    /// <summary>How many workers the app is meant to run (changed by scale and reload, on the loop).</summary>
    public int DesiredWorkers => Volatile.Read(ref _desired);

    public string SocketPath { get; }

    /// <summary>Why the app stopped serving, when it did (repeated boot failures).</summary>
    public string? FailedReason { get; private set; }

    /// <summary>Starts the workers; completes when all of them are ready, or throws <see cref="AppBootException"/>
    /// with the Python traceback when the app cannot be imported.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _accept = AcceptLoopAsync(_stopping.Token);
        _loop = RunAsync();
        _ticker = _time.CreateTimer(_ => Post(new SupervisorEvent.Tick()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Post(new SupervisorEvent.Boot());
        await _booted.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking requests and lets every worker finish what it has; kills what is left after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SupervisorEvent.Stop(done));
        if (await Task.WhenAny(done.Task, Task.Delay(timeout, _time)) != done.Task)
        {
            foreach (WorkerSlot slot in _snapshot)
            {
                LogKilledAtShutdown(slot.Id, slot.Pid, timeout.TotalSeconds);
                TryKill(slot);
            }

            await done.Task.WaitAsync(TimeSpan.FromSeconds(5), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Rolling reload: new workers import the (new) code; old ones retire only as new ones report ready.
    /// If the new code fails to import, the old workers keep serving and the result carries the Python error.</summary>
    public Task<ControlResult> ReloadAsync(AppConfig? newConfig = null)
    {
        var done = new TaskCompletionSource<ControlResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SupervisorEvent.Reload(newConfig, done));
        return done.Task;
    }

    public Task<ControlResult> ScaleAsync(int workers)
    {
        var done = new TaskCompletionSource<ControlResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SupervisorEvent.Scale(workers, done));
        return done.Task;
    }

    /// <summary>Called by the edge when a request on <paramref name="slot"/> passed the app's timeout (it already answered 504).</summary>
    public void ReportDeadline(WorkerSlot slot, string request, TimeSpan elapsed) => Post(new SupervisorEvent.DeadlinePassed(slot, request, elapsed));

    public AppStatus GetStatus()
    {
        DateTimeOffset now = _time.GetUtcNow();
        string state = FailedReason is not null ? "failed" : _stopped is not null ? "stopping" : _reload is not null ? "reloading" : _booted.Task.IsCompletedSuccessfully ? "running" : "starting";
        WorkerStatus[] workers = _snapshot.Select(w => new WorkerStatus(
            w.Id, w.Pid, w.State.ToString().ToLowerInvariant(), Volatile.Read(ref w.InFlight), w.Capacity, w.RequestsServed, w.RssBytes, (now - w.StartedAt).TotalSeconds)).ToArray();
        return new AppStatus(App.Name, App.Module, state, DesiredWorkers, Dispatcher.Waiting, FailedReason, workers, _recentExits);
    }

    private void Post(SupervisorEvent e) => _events.Writer.TryWrite(e);

    private async Task RunAsync()
    {
        await foreach (SupervisorEvent e in _events.Reader.ReadAllAsync())
        {
            try
            {
                Handle(e);
            }
            catch (Exception ex)
            {
                LogSupervisorError(ex);
            }

            _snapshot = _workers.Values.OrderBy(w => w.Id).ToArray();
            if (_stopped is not null && _workers.Count == 0 && _zygotes.Count == 0)
            {
                _stopped.TrySetResult();
                _booted.TrySetException(new AppBootException($"app '{App.Name}' was stopped before its workers were ready"));
                return;
            }
        }
    }

    private void Handle(SupervisorEvent e)
    {
        switch (e)
        {
            case SupervisorEvent.Boot:
                if (ReadEnvFile(App) is { } problem)
                {
                    FailApp($"app '{App.Name}': {problem}. Create it with NAME=value lines, or remove env_file: from the app");
                    break;
                }

                _launcher = NewLauncher(App);
                EnsureWorkers();
                break;
            case SupervisorEvent.Spawn:
                _respawnScheduled = false;
                EnsureWorkers();
                break;
            case SupervisorEvent.Connected connected:
                OnConnected(connected);
                break;
            case SupervisorEvent.Ready ready:
                OnReady(ready.Slot);
                break;
            case SupervisorEvent.BootFailed failed:
                _bootErrors[failed.Slot.Id] = failed.Error;
                break;
            case SupervisorEvent.Exited exited:
                OnExited(exited.Slot);
                break;
            case SupervisorEvent.RequestDone done:
                OnRequestDone(done.Slot);
                break;
            case SupervisorEvent.Pong pong:
                OnPong(pong.Slot);
                break;
            case SupervisorEvent.DeadlinePassed deadline:
                OnDeadline(deadline);
                break;
            case SupervisorEvent.Tick:
                OnTick();
                break;
            case SupervisorEvent.Reload reload:
                StartReload(reload);
                break;
            case SupervisorEvent.Scale scale:
                OnScale(scale);
                break;
            case SupervisorEvent.Stop stop:
                OnStop(stop);
                break;
            case SupervisorEvent.CloseWebSockets:
                GoAwayAll(ShutdownReason);
                break;
            case SupervisorEvent.ZygoteConnected zygote:
                OnZygoteConnected(zygote);
                break;
            case SupervisorEvent.ZygoteReady zygote:
                OnZygoteReady(zygote.Zygote);
                break;
            case SupervisorEvent.ZygoteBootFailed zygote:
                zygote.Zygote.BootError = zygote.Error;
                break;
            case SupervisorEvent.ZygoteExited zygote:
                OnZygoteExited(zygote.Zygote);
                break;
            case SupervisorEvent.ChildExited child:
                OnChildExited(child);
                break;
        }
    }

    /// <summary>Workers counted toward the wanted number: alive and not on their way out.</summary>
    private int ActiveCount => _workers.Values.Count(w => w.RetireCause is null && w.KillAt is null);

    private void EnsureWorkers()
    {
        if (_stopped is not null || FailedReason is not null)
        {
            return;
        }

        for (int missing = _desired - ActiveCount; missing > 0; missing--)
        {
            if (!SpawnWorker())
            {
                return;
            }
        }
    }

    private bool SpawnWorker()
    {
        if (App.Preload)
        {
            return ForkWorker();
        }

        int id = ++_nextWorkerId;
        var process = new System.Diagnostics.Process { StartInfo = _launcher.CreateStartInfo(id), EnableRaisingEvents = true };
        WorkerSlot slot = NewSlot(id, process, zygote: null);
        string prefix = $"[{App.Name}:{id}] ";
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { LogWorkerOutput(prefix, line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { LogWorkerOutput(prefix, line.Data); } };
        process.Exited += (_, _) => _ = LastWordsReadAsync(process, slot.ConnectionRead.Task)
            .ContinueWith(_ => Post(new SupervisorEvent.Exited(slot)), TaskScheduler.Default);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            FailApp($"cannot start the Python interpreter '{_launcher.Python}': {ex.Message}. Set `python:` (or --python) to an interpreter that exists, or `venv:` to a virtualenv.");
            return false;
        }

        slot.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _workers[id] = slot;
        return true;
    }

    /// <summary>
    /// Completes once an exited process's last words are read: its output to the end (the traceback
    /// of a failed import) and its connection to the end (a BOOT_ERROR, a CHILD_EXITED). The exit
    /// can be seen before those pipes are drained, and handling it first would log "the worker
    /// exited" without the reason, or exit berth with the traceback cut short. Bounded, because a
    /// process that never connected, or a grandchild holding the output open, must not hold it up.
    /// </summary>
    private async Task LastWordsReadAsync(System.Diagnostics.Process process, Task connectionRead) =>
        await Task.WhenAny(Task.WhenAll(process.WaitForExitAsync(), connectionRead), Task.Delay(LastWordsWait, _time)).ConfigureAwait(false);

    private WorkerSlot NewSlot(int id, System.Diagnostics.Process? process, Zygote? zygote) => new(id, _generation, process, _time.GetUtcNow())
    {
        Zygote = zygote,
        Label = $"{App.Name}:{id}",
        RequestLimit = App.MaxRequests > 0 ? App.MaxRequests + Random.Shared.NextInt64((long)App.MaxRequestsJitter + 1) : 0,
        LifetimeLimit = App.MaxLifetime is { } lifetime ? lifetime + App.MaxLifetimeJitter * Random.Shared.NextDouble() : null,
    };

    private void OnConnected(SupervisorEvent.Connected connected)
    {
        if (!_workers.TryGetValue(connected.WorkerId, out WorkerSlot? slot) || slot.Connection is not null
            || (slot.Zygote is not null && !AdoptForkedWorker(slot, connected.Hello)))
        {
            _ = connected.Connection.DisposeAsync().AsTask();
            return;
        }

        slot.Connection = connected.Connection;
        if (int.TryParse(KeyValueList.Find(connected.Hello, "capacity"), out int capacity) && capacity > 0)
        {
            slot.Capacity = capacity;
        }

        connected.Connection.OnRequestDone = () =>
        {
            slot.CountServed();
            Dispatcher.Release(slot);
            if (slot.RetireCause is not null || (slot.RequestLimit > 0 && slot.RequestsServed >= slot.RequestLimit))
            {
                Post(new SupervisorEvent.RequestDone(slot));
            }
        };
        connected.Connection.OnControlFrame = (type, text) =>
        {
            if (type == FrameType.Ready)
            {
                // READY may carry what the worker learnt by importing the app (interface auto): an ASGI loop takes more at once.
                string[] items = text.Split('\0');
                if (int.TryParse(KeyValueList.Find(items, "capacity"), out int ready) && ready > 0)
                {
                    slot.Capacity = ready;
                }

                slot.Cancellable = KeyValueList.Find(items, "interface") == "asgi";
                Post(new SupervisorEvent.Ready(slot));
            }
            else if (type == FrameType.BootError)
            {
                Post(new SupervisorEvent.BootFailed(slot, text));
            }
            else if (type == FrameType.Pong)
            {
                Post(new SupervisorEvent.Pong(slot));
            }
        };
        _ = connected.Connection.RunReaderAsync(CancellationToken.None).ContinueWith(_ => slot.ConnectionRead.TrySetResult(), TaskScheduler.Default);
        if (_stopped is not null)
        {
            CloseSend(slot);
        }
    }

    private void OnReady(WorkerSlot slot)
    {
        if (slot.State != WorkerState.Booting || !_workers.ContainsKey(slot.Id))
        {
            return;
        }

        slot.State = WorkerState.Ready;
        slot.RssBytes = ReadRss(slot.Pid); // status shows a real figure from the first moment, not 0 until the next tick
        _bootFailures = 0;
        LogWorkerReady(slot.Id, slot.Pid, slot.Capacity);
        if (_stopped is not null)
        {
            return;
        }

        PublishReady();

        // Readiness gate: one retiring worker leaves for each new one that is ready.
        WorkerSlot? leaving = _workers.Values.Where(w => w.RetireCause is not null && w.State == WorkerState.Ready).OrderBy(w => w.Id).FirstOrDefault();
        if (leaving is not null)
        {
            BeginDrain(leaving);
        }

        if (!_booted.Task.IsCompleted && _workers.Values.Count(w => w.State == WorkerState.Ready) >= _desired)
        {
            _booted.TrySetResult();
        }

        CheckReloadDone();
    }

    private void OnRequestDone(WorkerSlot slot)
    {
        if (slot.State == WorkerState.Ready && slot.RetireCause is null && slot.RequestLimit > 0 && slot.RequestsServed >= slot.RequestLimit)
        {
            Retire(slot, "max-requests", $"served {slot.RequestsServed} requests (max_requests)");
        }

        CloseIfDrained(slot);
    }

    private void OnDeadline(SupervisorEvent.DeadlinePassed deadline)
    {
        WorkerSlot slot = deadline.Slot;
        if (!_workers.ContainsKey(slot.Id) || slot.KillAt is not null)
        {
            return;
        }

        LogDeadline(slot.Id, slot.Pid, App.Timeout.TotalSeconds, deadline.Request, deadline.Elapsed.TotalSeconds);
        Abandon(slot, "timeout");
    }

    /// <summary>A worker that is stuck (<paramref name="cause"/>) leaves at once rather than by the readiness gate: it
    /// takes no more requests, dumps its stack and is killed, and a replacement starts.</summary>
    private void Abandon(WorkerSlot slot, string cause)
    {
        slot.Retire(cause);
        slot.StopAccepting();
        slot.State = WorkerState.Draining;
        slot.KillAt = _time.GetUtcNow() + StackDumpGrace;
        PublishReady();
        Signal(slot, 10); // SIGUSR1: faulthandler writes every thread's stack to stderr, which is our log
        EnsureWorkers();
    }

    private void OnTick()
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach (WorkerSlot slot in _workers.Values.ToArray())
        {
            slot.RssBytes = ReadRss(slot.Pid);
            if (slot.KillAt is { } killAt)
            {
                if (now >= killAt)
                {
                    TryKill(slot);
                }

                continue;
            }

            if (slot.State == WorkerState.Draining)
            {
                DrainWebSockets(slot, now);
                CloseIfDrained(slot);
                continue;
            }

            if (slot.State != WorkerState.Ready)
            {
                continue;
            }

            // A worker retiring by the readiness gate still serves until its replacement is ready: a hang matters there too.
            Heartbeat(slot, now);
            if (slot.RetireCause is not null)
            {
                continue;
            }

            if (slot.LifetimeLimit is { } lifetime && now - slot.StartedAt >= lifetime)
            {
                Retire(slot, "lifetime", $"reached its lifetime of {lifetime.TotalSeconds:F0}s (max_lifetime)");
            }
            else if (App.MaxMemoryMb > 0)
            {
                slot.MemoryStrikes = slot.RssBytes > App.MaxMemoryMb * 1024 * 1024 ? slot.MemoryStrikes + 1 : 0;
                if (slot.MemoryStrikes >= MemoryStrikesToRecycle)
                {
                    Retire(slot, "memory", $"RSS {slot.RssBytes / (1024 * 1024)} MB above max_memory {App.MaxMemoryMb} MB in {MemoryStrikesToRecycle} samples in a row");
                }
            }
        }
    }

    /// <summary>Marks a worker for retirement and starts its replacement; it leaves when the replacement is ready.</summary>
    private void Retire(WorkerSlot slot, string cause, string why)
    {
        slot.Retire(cause);
        LogRecycling(slot.Id, slot.Pid, why);
        EnsureWorkers();
    }

    private void BeginDrain(WorkerSlot slot)
    {
        slot.StopAccepting();
        slot.State = WorkerState.Draining;
        slot.DrainingSince = _time.GetUtcNow();
        PublishReady();
        DrainWebSockets(slot, slot.DrainingSince.Value); // websocket_drain_timeout: 0 closes them now
        CloseIfDrained(slot);
    }

    private static void CloseIfDrained(WorkerSlot slot)
    {
        if (slot.State == WorkerState.Draining && slot.KillAt is null && Volatile.Read(ref slot.InFlight) == 0)
        {
            CloseSend(slot);
        }
    }

    private static void CloseSend(WorkerSlot slot)
    {
        if (!slot.SendClosed && slot.Connection is { } connection)
        {
            slot.SendClosed = true;
            connection.CloseSend(); // the worker exits on EOF
        }
    }

    private void StartReload(SupervisorEvent.Reload reload)
    {
        if (_stopped is not null)
        {
            reload.Done.TrySetResult(new ControlResult(false, $"app '{App.Name}' is stopping"));
            return;
        }

        if (_reload is not null)
        {
            reload.Done.TrySetResult(new ControlResult(false, $"app '{App.Name}' is already reloading; try again when it is done"));
            return;
        }

        // The env file is read again on every reload (a deploy uploads a new shared/.env, then reloads); one that
        // is gone leaves the running workers as they are.
        if (ReadEnvFile(reload.NewConfig ?? App) is { } problem)
        {
            reload.Done.TrySetResult(new ControlResult(false, $"app '{App.Name}' was not reloaded: {problem}; its workers keep serving. Restore the file, or remove env_file: from the app"));
            return;
        }

        var previous = new Settings(App, _desired);
        if (reload.NewConfig is { } config)
        {
            Adopt(new Settings(config, config.Workers));
        }
        else
        {
            _launcher = NewLauncher(App);
        }

        FailedReason = null;
        _bootFailures = 0;
        _generation++;
        WorkerSlot[] old = _workers.Values.Where(w => w.RetireCause is null && w.KillAt is null).ToArray();
        _reload = new ReloadInProgress(_generation, reload.Done, old.Length, previous);
        LogReloading(old.Length, _generation);
        SetZygoteAside();
        foreach (WorkerSlot slot in old)
        {
            if (slot.State == WorkerState.Booting)
            {
                slot.Retire("reload");
                TryKill(slot); // still importing the old code: nothing to drain
            }
            else
            {
                slot.Retire("reload");
            }
        }

        EnsureWorkers();
        CheckReloadDone();
    }

    private WorkerLauncher NewLauncher(AppConfig app) => new(app, _shimPath, SocketPath) { FileEnvironment = _fileEnvironment };

    /// <summary>Reads <paramref name="app"/>'s env_file: into <see cref="_fileEnvironment"/>; why it could not, or null.</summary>
    private string? ReadEnvFile(AppConfig app)
    {
        if (app.EnvFile is not { } file)
        {
            _fileEnvironment = new Dictionary<string, string>();
            return null;
        }

        if (AppEnvironmentFile.Read(file, out IReadOnlyDictionary<string, string> variables) is { } problem)
        {
            return problem;
        }

        _fileEnvironment = variables;
        return null;
    }

    private void Adopt(Settings settings)
    {
        App = settings.App;
        _desired = settings.Workers;
        _launcher = NewLauncher(settings.App);
        Dispatcher.QueueLimit = settings.App.QueueSize;
    }

    private void CheckReloadDone()
    {
        if (_reload is not { } reload)
        {
            return;
        }

        int ready = _workers.Values.Count(w => w.Generation == reload.Generation && w.State == WorkerState.Ready);
        if (ready >= _desired)
        {
            _reload = null;
            RetireSetAsideZygote();
            LogReloaded(ready);
            reload.Done.TrySetResult(new ControlResult(true, $"reloaded app '{App.Name}': {ready} new workers ready, {reload.Replaced} old ones finishing their requests"));
            _booted.TrySetResult();
        }
    }

    private void AbortReload(string error)
    {
        ReloadInProgress reload = _reload!;
        _reload = null;
        RestoreSetAsideZygote();
        foreach (WorkerSlot slot in _workers.Values.ToArray())
        {
            if (slot.Generation == reload.Generation)
            {
                slot.Retire("reload");
                TryKill(slot);
            }
            else
            {
                slot.Unretire();
            }
        }

        // The old workers stay, so their settings do: a crash among them respawns the code that works.
        Adopt(reload.Previous);
        LogReloadFailed(error.TrimEnd());
        reload.Done.TrySetResult(new ControlResult(false, $"reload of app '{App.Name}' stopped: the new code failed to import. The old workers keep serving.\n{error.TrimEnd()}"));
    }

    private void OnScale(SupervisorEvent.Scale scale)
    {
        if (scale.Workers < 1)
        {
            scale.Done.TrySetResult(new ControlResult(false, "an app needs at least 1 worker; use `berth stop` to stop the server"));
            return;
        }

        int before = _desired;
        _desired = scale.Workers;
        foreach (WorkerSlot extra in _workers.Values.Where(w => w.RetireCause is null && w.KillAt is null).OrderByDescending(w => w.Id).Skip(_desired).ToArray())
        {
            extra.Retire("scale-down");
            if (extra.State == WorkerState.Booting)
            {
                TryKill(extra);
            }
            else
            {
                BeginDrain(extra);
            }
        }

        EnsureWorkers();
        LogScaled(before, _desired);
        scale.Done.TrySetResult(new ControlResult(true, $"app '{App.Name}': {before} → {_desired} workers"));
    }

    private void OnStop(SupervisorEvent.Stop stop)
    {
        _stopped = stop.Done;
        _ticker?.Dispose();
        foreach (WorkerSlot slot in _workers.Values)
        {
            slot.Retire("shutdown"); // so that each request ending reports, and the last one closes the connection
            slot.StopAccepting();
            slot.State = WorkerState.Draining;
        }

        PublishReady();
        Dispatcher.RejectWaiting();
        GoAwayAll(ShutdownReason);
        foreach (WorkerSlot slot in _workers.Values)
        {
            if (slot.Connection is null)
            {
                TryKill(slot); // still importing: nothing in flight to wait for
            }
            else if (slot.KillAt is not null)
            {
                CloseSend(slot); // past its deadline and about to be killed; StopAsync's timeout does that now
            }
            else
            {
                // Requests already sent finish; the worker exits on the EOF that follows the last one.
                // Not before: a WebSocket's close (1001) still has to reach the app over this connection.
                CloseIfDrained(slot);
            }
        }

        StopZygotes(kill: false);
        _stopping.Cancel();
    }

    private void OnExited(WorkerSlot slot)
    {
        if (!_workers.Remove(slot.Id))
        {
            return;
        }

        bool wasServing = slot.State is WorkerState.Ready or WorkerState.Draining;
        slot.State = WorkerState.Dead;
        PublishReady();
        if (FailedReason is not null && !_workers.Values.Any(w => w.State == WorkerState.Ready))
        {
            Dispatcher.RejectWaiting(); // the last worker of a failed app: nothing will serve the queue
        }

        int exitCode = slot.ExitStatus ?? (slot.Process is { HasExited: true } process ? process.ExitCode : -1);
        TimeSpan lifetime = _time.GetUtcNow() - slot.StartedAt;
        string cause = slot.RetireCause ?? (_stopped is not null ? "shutdown" : wasServing ? "crash" : "boot-failure");
        var record = new DeathRecord(slot.Id, slot.Pid, cause, DescribeExit(exitCode), slot.RequestsServed, slot.RssBytes, slot.LastRequest, _time.GetUtcNow());
        _recentExits = _recentExits.Add(record);
        if (_recentExits.Count > RecentExitsKept)
        {
            _recentExits = _recentExits.RemoveAt(0);
        }

        LogLevel level = cause is "crash" or "timeout" or "unresponsive" or "memory" or "boot-failure" ? LogLevel.Warning : LogLevel.Information;
        LogDeathRecord(level, slot.Id, slot.Pid, record.Exit, cause, record.RequestsServed, slot.RssBytes / (1024.0 * 1024.0), slot.LastRequest ?? "none", lifetime.TotalSeconds);
        if (slot.Connection is { } connection)
        {
            _ = connection.DisposeAsync().AsTask();
        }

        slot.Process?.Dispose();
        slot.Dispose();
        if (_stopped is not null)
        {
            return;
        }

        if (!wasServing)
        {
            string error = _bootErrors.Remove(slot.Id, out string? text) ? text : $"the worker exited ({DescribeExit(exitCode)}) before it was ready; its output is in the log above";
            if (_reload is { } reload && slot.Generation == reload.Generation)
            {
                AbortReload(error);
                return;
            }

            if (slot.RetireCause is not null)
            {
                return; // killed on purpose while booting (scale-down, aborted reload)
            }

            if (!_booted.Task.IsCompleted)
            {
                // At start, a worker that cannot import the app means the deploy is broken: say so
                // once and exit, rather than spinning in a restart loop.
                FailApp(error);
                return;
            }

            if (++_bootFailures >= MaxBootFailures)
            {
                FailApp(error);
                return;
            }
        }
        else if (cause != "crash" || lifetime > StableAfter)
        {
            _backoff = FirstBackoff;
        }

        if (cause is "crash" or "boot-failure")
        {
            ScheduleRespawn();
        }
        else
        {
            EnsureWorkers();
        }

        CheckReloadDone();
    }

    private void ScheduleRespawn()
    {
        if (_respawnScheduled)
        {
            return;
        }

        // Crashes in a row back off, so a worker that dies at once does not spin the CPU.
        TimeSpan delay = _backoff;
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
        _respawnScheduled = true;
        _ = Task.Delay(delay, _time).ContinueWith(_ => Post(new SupervisorEvent.Spawn()), TaskScheduler.Default);
    }

    /// <summary>
    /// Stops trying to start workers. At start nothing is serving, so everything goes; later, the
    /// workers still running the old code keep serving (a crash must not take the healthy ones
    /// down with it), and only requests with no worker left to go to get a 503 naming the reason.
    /// A successful reload clears it.
    /// </summary>
    private void FailApp(string reason)
    {
        FailedReason = reason;
        LogAppFailed(reason);
        bool starting = !_booted.Task.IsCompleted;
        _booted.TrySetException(new AppBootException(reason));
        foreach (WorkerSlot slot in _workers.Values.Where(w => starting || w.State == WorkerState.Booting).ToArray())
        {
            TryKill(slot);
        }

        if (starting)
        {
            StopZygotes(kill: true);
        }

        if (!_workers.Values.Any(w => w.State == WorkerState.Ready))
        {
            Dispatcher.RejectWaiting();
        }
    }

    private void PublishReady() =>
        Dispatcher.Publish(_workers.Values.Where(w => w.State == WorkerState.Ready && w.Accepting).OrderBy(w => w.Id).ToArray());

    private static string DescribeExit(int exitCode) => exitCode switch
    {
        -1 => "exit status unknown",
        > 128 => $"killed by signal {exitCode - 128}",
        _ => $"exit code {exitCode}",
    };

    /// <summary>Resident set size from /proc/PID/statm (pages × page size); 0 when the process is gone.</summary>
    private static long ReadRss(int pid)
    {
        try
        {
            string statm = File.ReadAllText($"/proc/{pid}/statm");
            string[] fields = statm.Split(' ');
            return fields.Length > 1 && long.TryParse(fields[1], out long pages) ? pages * Environment.SystemPageSize : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static void TryKill(WorkerSlot slot)
    {
        if (slot.Process is null)
        {
            KillForked(slot);
            return;
        }

        try
        {
            slot.Process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already exited
        }
    }

    private static void Signal(WorkerSlot slot, int signal)
    {
        if (slot.Pid > 0)
        {
            _ = NativeMethods.Kill(slot.Pid, signal);
        }
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = GreetAsync(socket, cancellationToken);
        }
    }

    /// <summary>Reads HELLO, which names the worker id the supervisor gave on the command line.</summary>
    private async Task GreetAsync(Socket socket, CancellationToken cancellationToken)
    {
        var connection = new WorkerConnection(socket);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (true)
            {
                System.IO.Pipelines.ReadResult result = await connection.Input.ReadAsync(timeout.Token);
                System.Buffers.ReadOnlySequence<byte> buffer = result.Buffer;
                if (FrameHeader.TryReadFrame(ref buffer, out FrameHeader header, out System.Buffers.ReadOnlySequence<byte> payload))
                {
                    if (header.Type != FrameType.Hello)
                    {
                        ProtocolException.Throw($"expected HELLO, got frame type {header.Type}");
                    }

                    List<string> hello = KeyValueList.Read(payload);
                    connection.Input.AdvanceTo(buffer.Start);
                    if (!int.TryParse(KeyValueList.Find(hello, "worker"), out int workerId))
                    {
                        ProtocolException.Throw("HELLO without a worker id");
                    }

                    Post(KeyValueList.Find(hello, "role") == "zygote"
                        ? new SupervisorEvent.ZygoteConnected(workerId, connection, hello)
                        : new SupervisorEvent.Connected(workerId, connection, hello));
                    return;
                }

                connection.Input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    ProtocolException.Throw("connection closed before HELLO");
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ProtocolException)
        {
            LogBadHello(e.Message);
            await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ticker?.Dispose();
        _stopping.Cancel();
        _listener.Dispose();
        _events.Writer.TryComplete();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        File.Delete(SocketPath);
        _stopping.Dispose();
    }

    private sealed record ReloadInProgress(int Generation, TaskCompletionSource<ControlResult> Done, int Replaced, Settings Previous);

    /// <summary>What a reload with a new config changes, and an aborted one puts back.</summary>
    private sealed record Settings(AppConfig App, int Workers);
}
