using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Berth.Protocol;

namespace Berth.Workers;

/// <summary>
/// A Python process that imported the app once and forks its workers on request (<c>preload: true</c>,
/// gunicorn's <c>--preload</c>; docs/protocol.md, "Preload"). Changed only on the supervisor's loop.
/// </summary>
public sealed class Zygote
{
    public Zygote(int id, int generation, Process process, DateTimeOffset startedAt)
    {
        Id = id;
        Generation = generation;
        Process = process;
        StartedAt = startedAt;
    }

    /// <summary>The zygote's own number, separate from worker ids; it is the <c>worker</c> of its HELLO.</summary>
    public int Id { get; }

    /// <summary>Which reload of the app's code it imported.</summary>
    public int Generation { get; }

    public Process Process { get; }

    public int Pid { get; set; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Booting while it imports; Ready while it forks; Draining once closed, until its last worker is gone.</summary>
    public WorkerState State { get; set; } = WorkerState.Booting;

    public WorkerConnection? Connection { get; set; }

    /// <summary>Its end is expected: it was closed or killed on purpose, not lost.</summary>
    public bool Retired { get; set; }

    /// <summary>The BOOT_ERROR text, when the import failed.</summary>
    public string? BootError { get; set; }

    /// <summary>Completes when berth has read the zygote's connection to its end, so every frame it sent
    /// (BOOT_ERROR, the last CHILD_EXITED) is posted before its exit is.</summary>
    public TaskCompletionSource ConnectionRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends SPAWN. A zygote that is gone cannot fork; its exit is handled when it is observed.</summary>
    public async Task SpawnAsync(int workerId, CancellationToken cancellationToken)
    {
        if (Connection is not { } connection)
        {
            return;
        }

        var payload = new ArrayBufferWriter<byte>(32);
        bool first = true;
        KeyValueList.WritePair(payload, "worker", workerId.ToString(System.Globalization.CultureInfo.InvariantCulture), ref first);
        try
        {
            await connection.SendControlAsync(FrameType.Spawn, payload.WrittenMemory, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the zygote died (ZygoteExited deals with it and its workers), or berth is stopping
        }
    }

    /// <summary>Forks no more: a ready zygote sees EOF and exits once its last worker has; one still
    /// importing is killed, as nothing was forked from it.</summary>
    public void Close()
    {
        Retired = true;
        if (State == WorkerState.Booting)
        {
            Kill();
        }
        else if (State == WorkerState.Ready && Connection is { } connection)
        {
            State = WorkerState.Draining;
            connection.CloseSend();
        }
    }

    public void Kill()
    {
        Retired = true;
        try
        {
            Process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already exited
        }
    }

    public override string ToString() => $"zygote {Id} (pid {Pid})";
}
