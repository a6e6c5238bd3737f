using System.Globalization;
using Berth.Protocol;

namespace Berth.Workers;

/// <summary>
/// <c>preload: true</c> (gunicorn's <c>--preload</c>): the app is imported once, in a zygote, and the
/// workers are forked from it with SPAWN (docs/protocol.md, "Preload"). Forked workers are ordinary
/// <see cref="WorkerSlot"/>s without a process handle: their pid comes from their HELLO, their exit
/// from the zygote's CHILD_EXITED. A reload starts a new zygote, which imports the new code; the old
/// one is set aside, back in service if the new code fails, and closed once its workers are gone.
/// </summary>
public sealed partial class AppSupervisor
{
    // A forked worker's output comes through its zygote, each line as RS, worker id, US, text.
    private const char RelayStart = '\x1e';
    private const char RelaySeparator = '\x1f';

    private const int SigKill = 9;

    private readonly List<Zygote> _zygotes = [];
    private Zygote? _zygote;
    private Zygote? _setAside;
    private int _nextZygoteId;

    /// <summary>SpawnWorker for a preloaded app: asks the zygote for a fork, starting a zygote first if
    /// there is none. False while the zygote imports; its READY calls <see cref="EnsureWorkers"/> again.</summary>
    private bool ForkWorker()
    {
        if (_zygote is null)
        {
            StartZygote();
            return false;
        }

        if (_zygote.State != WorkerState.Ready)
        {
            return false;
        }

        int id = ++_nextWorkerId;
        _workers[id] = NewSlot(id, process: null, _zygote);
        _ = _zygote.SpawnAsync(id, _stopping.Token);
        return true;
    }

    private void StartZygote()
    {
        int id = ++_nextZygoteId;
        var process = new System.Diagnostics.Process { StartInfo = _launcher.CreateStartInfo(id, zygote: true), EnableRaisingEvents = true };
        var zygote = new Zygote(id, _generation, process, _time.GetUtcNow());
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { LogZygoteLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { LogZygoteLine(line.Data); } };
        process.Exited += (_, _) => _ = LastWordsReadAsync(process, zygote.ConnectionRead.Task)
            .ContinueWith(_ => Post(new SupervisorEvent.ZygoteExited(zygote)), TaskScheduler.Default);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            FailApp($"cannot start the Python interpreter '{_launcher.Python}': {ex.Message}. Set `python:` (or --python) to an interpreter that exists, or `venv:` to a virtualenv.");
            return;
        }

        zygote.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _zygotes.Add(zygote);
        _zygote = zygote;
        LogZygoteStarted(zygote.Pid, App.Module);
    }

    /// <summary>The zygote's own lines go under <c>[app:zygote]</c>, the lines it relays under their worker's id.</summary>
    private void LogZygoteLine(string line)
    {
        if (line.Length > 2 && line[0] == RelayStart)
        {
            int separator = line.IndexOf(RelaySeparator, 1);
            if (separator > 1 && int.TryParse(line.AsSpan(1, separator - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int workerId))
            {
                LogWorkerOutput($"[{App.Name}:{workerId}] ", line[(separator + 1)..]);
                return;
            }
        }

        LogWorkerOutput($"[{App.Name}:zygote] ", line);
    }

    private void OnZygoteConnected(SupervisorEvent.ZygoteConnected connected)
    {
        Zygote? zygote = _zygotes.Find(z => z.Id == connected.ZygoteId);
        if (zygote is null || zygote.Connection is not null || KeyValueList.Find(connected.Hello, "pid") != zygote.Pid.ToString(CultureInfo.InvariantCulture))
        {
            LogBadHello($"a zygote HELLO that matches no zygote berth started: {string.Join(' ', connected.Hello)}");
            _ = connected.Connection.DisposeAsync().AsTask();
            return;
        }

        zygote.Connection = connected.Connection;
        connected.Connection.OnControlFrame = (type, text) =>
        {
            switch (type)
            {
                case FrameType.Ready:
                    Post(new SupervisorEvent.ZygoteReady(zygote));
                    break;
                case FrameType.BootError:
                    Post(new SupervisorEvent.ZygoteBootFailed(zygote, text));
                    break;
                case FrameType.ChildExited:
                    string[] items = text.Split('\0');
                    if (int.TryParse(KeyValueList.Find(items, "pid"), out int pid)
                        && int.TryParse(KeyValueList.Find(items, "worker"), out int workerId)
                        && int.TryParse(KeyValueList.Find(items, "status"), out int status))
                    {
                        Post(new SupervisorEvent.ChildExited(zygote, pid, workerId, status));
                    }

                    break;
            }
        };
        _ = connected.Connection.RunReaderAsync(CancellationToken.None).ContinueWith(_ => zygote.ConnectionRead.TrySetResult(), TaskScheduler.Default);
    }

    private void OnZygoteReady(Zygote zygote)
    {
        if (zygote.State != WorkerState.Booting || zygote.Retired)
        {
            return;
        }

        zygote.State = WorkerState.Ready;
        LogZygoteReady(zygote.Pid, (_time.GetUtcNow() - zygote.StartedAt).TotalSeconds);
        EnsureWorkers();
    }

    /// <summary>A forked worker is known by the pid in its HELLO, which must be a child of its zygote:
    /// the supervisor will send signals to that pid.</summary>
    private bool AdoptForkedWorker(WorkerSlot slot, IReadOnlyList<string> hello)
    {
        if (!int.TryParse(KeyValueList.Find(hello, "pid"), out int pid) || ParentOf(pid) != slot.Zygote!.Pid)
        {
            LogBadHello($"worker {slot.Id} said it is pid {KeyValueList.Find(hello, "pid")}, which is not a child of zygote pid {slot.Zygote!.Pid}");
            return false;
        }

        slot.Pid = pid;
        if (slot.KillPending)
        {
            KillForked(slot);
        }

        return true;
    }

    private void OnChildExited(SupervisorEvent.ChildExited exited)
    {
        if (_workers.TryGetValue(exited.WorkerId, out WorkerSlot? slot) && slot.Zygote == exited.Zygote)
        {
            if (slot.Pid == 0)
            {
                slot.Pid = exited.Pid;
            }

            slot.ExitStatus = exited.Status;
            OnExited(slot);
        }

        CloseIfIdle(exited.Zygote);
    }

    private void OnZygoteExited(Zygote zygote)
    {
        if (!_zygotes.Remove(zygote))
        {
            return;
        }

        bool imported = zygote.State != WorkerState.Booting;
        zygote.State = WorkerState.Dead;
        int exitCode = zygote.Process.HasExited ? zygote.Process.ExitCode : -1;
        zygote.Process.Dispose();
        if (zygote.Connection is { } connection)
        {
            _ = connection.DisposeAsync().AsTask();
        }

        if (_zygote == zygote)
        {
            _zygote = null;
        }

        if (_setAside == zygote)
        {
            _setAside = null;
        }

        WorkerSlot[] orphans = _workers.Values.Where(w => w.Zygote == zygote).ToArray();
        if (zygote.Retired || _stopped is not null)
        {
            LogZygoteExited(zygote.Pid, DescribeExit(exitCode));
        }
        else if (!imported)
        {
            string error = zygote.BootError ?? $"the zygote exited ({DescribeExit(exitCode)}) before it imported the app; its output is in the log above";
            if (_reload is { } reload && zygote.Generation == reload.Generation)
            {
                AbortReload(error);
            }
            else if (!_booted.Task.IsCompleted || ++_bootFailures >= MaxBootFailures)
            {
                // At start, as with workers: an app that cannot be imported is reported once, not retried forever.
                FailApp(error);
            }
            else
            {
                ScheduleRespawn();
            }
        }
        else
        {
            LogZygoteLost(zygote.Pid, DescribeExit(exitCode), orphans.Length);
        }

        // Nobody reports the exits of a lost zygote's workers (they now belong to init), so they are
        // stopped here and forked again from a new zygote.
        foreach (WorkerSlot orphan in orphans.Where(w => _workers.ContainsKey(w.Id)))
        {
            orphan.Retire("zygote-lost");
            KillForked(orphan);
            orphan.ExitStatus = orphan.Pid > 0 ? 128 + SigKill : -1;
            OnExited(orphan);
        }

        if (imported && !zygote.Retired && _stopped is null)
        {
            EnsureWorkers();
        }
    }

    /// <summary>On reload: the current zygote runs the old code, so new workers need a new one. It stays
    /// (with its workers) until the reload is done, and comes back if the new code fails to import.</summary>
    private void SetZygoteAside()
    {
        if (_zygote is not { } current)
        {
            return;
        }

        _zygote = null;
        if (current.State == WorkerState.Ready)
        {
            _setAside = current;
        }
        else
        {
            current.Close();
        }
    }

    /// <summary>The reload is done: the old zygote leaves once its workers have.</summary>
    private void RetireSetAsideZygote()
    {
        if (_setAside is { } old)
        {
            _setAside = null;
            old.Retired = true;
            CloseIfIdle(old);
        }
    }

    /// <summary>The reload failed: the old zygote forks again (replacements for the old workers run the
    /// old code, which works), and the new one goes.</summary>
    private void RestoreSetAsideZygote()
    {
        Zygote? failed = _zygote;
        _zygote = _setAside;
        _setAside = null;
        if (failed is not null && failed != _zygote)
        {
            failed.Retired = true;
            CloseIfIdle(failed);
        }
    }

    private void CloseIfIdle(Zygote zygote)
    {
        if (zygote != _zygote && zygote != _setAside && !_workers.Values.Any(w => w.Zygote == zygote))
        {
            zygote.Close();
        }
    }

    private void StopZygotes(bool kill)
    {
        foreach (Zygote zygote in _zygotes)
        {
            if (kill)
            {
                zygote.Kill();
            }
            else
            {
                zygote.Close(); // it reports its workers' exits until the last one is gone, then exits
            }
        }
    }

    private static void KillForked(WorkerSlot slot)
    {
        if (slot.Pid > 0)
        {
            _ = NativeMethods.Kill(slot.Pid, SigKill);
        }
        else
        {
            slot.KillPending = true;
        }
    }

    /// <summary>The parent pid, field 4 of /proc/PID/stat; -1 when the process is gone.</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 1 && int.TryParse(fields[1], out int parent) ? parent : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
