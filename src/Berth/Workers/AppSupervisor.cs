using System.Net.Sockets;
using System.Threading.Channels;
using Berth.Config;
using Berth.Dispatch;
using Berth.Protocol;
using Microsoft.Extensions.Logging;

namespace Berth.Workers;

/// <summary>
/// The arbiter of one app: owns its worker table in a single loop (gunicorn's arbiter). Process
/// exits, connections, READY and stop requests are posted to a channel; nothing else mutates the
/// table. The dispatcher sees only immutable snapshots of the ready workers.
/// </summary>
public sealed partial class AppSupervisor : IAsyncDisposable
{
    // Respawn backoff after a crash: 100 ms doubling to 10 s; a worker that lived a minute resets it.
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    // Consecutive boot failures after which the app is marked failed instead of respawning forever.
    private const int MaxBootFailures = 5;

    private readonly Channel<SupervisorEvent> _events = Channel.CreateUnbounded<SupervisorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<int, WorkerSlot> _workers = [];
    private readonly Dictionary<int, string> _bootErrors = [];
    private readonly TaskCompletionSource _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerLauncher _launcher;
    private readonly Socket _listener;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private Task _accept = Task.CompletedTask;
    private int _nextWorkerId;
    private int _bootFailures;
    private TimeSpan _backoff = FirstBackoff;
    private bool _respawnScheduled;
    private TaskCompletionSource? _stopped;

    public AppSupervisor(AppConfig app, string shimPath, string runtimeDirectory, ILoggerFactory logs, TimeProvider time)
    {
        App = app;
        _time = time;
        _log = logs.CreateLogger("berth.app." + app.Name);
        Dispatcher = new AppDispatcher<WorkerSlot>(app.QueueSize);
        SocketPath = Path.Combine(runtimeDirectory, app.Name + ".sock");
        _launcher = new WorkerLauncher(app, shimPath, SocketPath);

        File.Delete(SocketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(128);
    }

    public AppConfig App { get; }

    public AppDispatcher<WorkerSlot> Dispatcher { get; }

    public string SocketPath { get; }

    /// <summary>Why the app stopped serving, when it did (repeated boot failures).</summary>
    public string? FailedReason { get; private set; }

    /// <summary>Starts the workers; completes when all of them are ready, or throws <see cref="AppBootException"/>
    /// with the Python traceback when the app cannot be imported.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _accept = AcceptLoopAsync(_stopping.Token);
        _loop = RunAsync();
        for (int i = 0; i < App.Workers; i++)
        {
            Post(new SupervisorEvent.Spawn());
        }

        await _booted.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking requests and lets every worker finish what it has; kills what is left after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SupervisorEvent.Stop(done));
        if (await Task.WhenAny(done.Task, Task.Delay(timeout, _time)) != done.Task)
        {
            foreach (WorkerSlot slot in _workers.Values.ToArray())
            {
                LogKilledAtShutdown(slot.Id, slot.Pid, timeout.TotalSeconds);
                TryKill(slot);
            }

            await done.Task.WaitAsync(TimeSpan.FromSeconds(5), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
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

            if (_stopped is not null && _workers.Count == 0)
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
            case SupervisorEvent.Spawn:
                _respawnScheduled = false;
                if (_stopped is null && FailedReason is null)
                {
                    SpawnWorker();
                }

                break;
            case SupervisorEvent.Connected connected:
                OnConnected(connected);
                break;
            case SupervisorEvent.Ready ready:
                ready.Slot.State = WorkerState.Ready;
                _bootFailures = 0;
                LogWorkerReady(ready.Slot.Id, ready.Slot.Pid, ready.Slot.Capacity);
                PublishReady();
                if (_workers.Values.Count(w => w.State == WorkerState.Ready) >= App.Workers)
                {
                    _booted.TrySetResult();
                }

                break;
            case SupervisorEvent.BootFailed failed:
                _bootErrors[failed.Slot.Id] = failed.Error;
                break;
            case SupervisorEvent.Exited exited:
                OnExited(exited.Slot);
                break;
            case SupervisorEvent.Stop stop:
                _stopped = stop.Done;
                foreach (WorkerSlot slot in _workers.Values)
                {
                    slot.State = WorkerState.Draining;
                }

                PublishReady();
                Dispatcher.RejectWaiting();
                foreach (WorkerSlot slot in _workers.Values)
                {
                    if (slot.Connection is { } connection)
                    {
                        connection.CloseSend();
                    }
                    else
                    {
                        TryKill(slot); // still importing: nothing in flight to wait for
                    }
                }

                _stopping.Cancel();
                break;
        }
    }

    private void SpawnWorker()
    {
        int id = ++_nextWorkerId;
        var process = new System.Diagnostics.Process { StartInfo = _launcher.CreateStartInfo(id), EnableRaisingEvents = true };
        var slot = new WorkerSlot(id, process, _time.GetUtcNow());
        string prefix = $"[{App.Name}:{id}] ";
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { LogWorkerOutput(prefix, line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { LogWorkerOutput(prefix, line.Data); } };
        process.Exited += (_, _) => Post(new SupervisorEvent.Exited(slot));
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            FailApp($"cannot start the Python interpreter '{_launcher.Python}': {ex.Message}. Set `python:` (or --python) to an interpreter that exists, or `venv:` to a virtualenv.");
            return;
        }

        slot.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _workers[id] = slot;
    }

    private void OnConnected(SupervisorEvent.Connected connected)
    {
        if (!_workers.TryGetValue(connected.WorkerId, out WorkerSlot? slot) || slot.Connection is not null)
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
        };
        connected.Connection.OnControlFrame = (type, text) =>
        {
            if (type == FrameType.Ready)
            {
                Post(new SupervisorEvent.Ready(slot));
            }
            else if (type == FrameType.BootError)
            {
                Post(new SupervisorEvent.BootFailed(slot, text));
            }
        };
        _ = connected.Connection.RunReaderAsync(CancellationToken.None);
        if (_stopped is not null)
        {
            connected.Connection.CloseSend();
        }
    }

    private void OnExited(WorkerSlot slot)
    {
        if (!_workers.Remove(slot.Id))
        {
            return;
        }

        bool wasServing = slot.State is WorkerState.Ready or WorkerState.Draining;
        bool expected = _stopped is not null || slot.State == WorkerState.Draining;
        slot.State = WorkerState.Dead;
        PublishReady();
        int exitCode = slot.Process.HasExited ? slot.Process.ExitCode : -1;
        TimeSpan lifetime = _time.GetUtcNow() - slot.StartedAt;
        LogDeathRecord(slot.Id, slot.Pid, DescribeExit(exitCode), expected ? "shutdown" : wasServing ? "crash" : "boot failure", slot.RequestsServed, slot.LastRequest ?? "none", lifetime.TotalSeconds);
        if (slot.Connection is { } connection)
        {
            _ = connection.DisposeAsync().AsTask();
        }

        slot.Process.Dispose();
        if (expected)
        {
            return;
        }

        if (!wasServing)
        {
            string error = _bootErrors.Remove(slot.Id, out string? text) ? text : $"the worker exited ({DescribeExit(exitCode)}) before it connected; its output is in the log above";
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
        else if (lifetime > StableAfter)
        {
            _backoff = FirstBackoff;
        }

        ScheduleRespawn();
    }

    private void ScheduleRespawn()
    {
        int wanted = App.Workers - _workers.Count;
        for (int i = 0; i < wanted; i++)
        {
            if (i == 0 && !_respawnScheduled)
            {
                // The first replacement goes at once the first time, then backs off while crashes repeat.
                TimeSpan delay = _backoff;
                _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
                _respawnScheduled = true;
                _ = Task.Delay(delay, _time).ContinueWith(_ => Post(new SupervisorEvent.Spawn()), TaskScheduler.Default);
            }
        }
    }

    private void FailApp(string reason)
    {
        FailedReason = reason;
        LogAppFailed(reason);
        _booted.TrySetException(new AppBootException(reason));
        Dispatcher.RejectWaiting();
        foreach (WorkerSlot slot in _workers.Values)
        {
            TryKill(slot);
        }
    }

    private void PublishReady() =>
        Dispatcher.Publish(_workers.Values.Where(w => w.State == WorkerState.Ready).OrderBy(w => w.Id).ToArray());

    private static string DescribeExit(int exitCode) => exitCode switch
    {
        -1 => "exit status unknown",
        > 128 => $"killed by signal {exitCode - 128}",
        _ => $"exit code {exitCode}",
    };

    private static void TryKill(WorkerSlot slot)
    {
        try
        {
            slot.Process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already exited
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

                    Post(new SupervisorEvent.Connected(workerId, connection, hello));
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
        _stopping.Cancel();
        _listener.Dispose();
        _events.Writer.TryComplete();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        File.Delete(SocketPath);
        _stopping.Dispose();
    }
}
