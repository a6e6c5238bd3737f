using System.Collections.Concurrent;
using Berth.Control;

namespace Berth.Tests.Control;

/// <summary>Stands in for the master: answers from canned values and records what it was asked.</summary>
internal sealed class FakeServerControl : IServerControl
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerStatus Status { get; set; } = SampleStatus();

    public ControlResult ReloadResult { get; set; } = new(true, "reloaded web: 2 new workers ready, 2 old ones drained");

    public ControlResult ScaleResult { get; set; } = new(true, "web now runs 4 workers");

    public Exception? ScaleThrows { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Completes on <see cref="Stop"/>, which the server calls only after writing its answer.</summary>
    public Task Stopped => _stopped.Task;

    public ServerStatus GetStatus()
    {
        Calls.Enqueue("status");
        return Status;
    }

    public Task<ControlResult> RenewCertificatesAsync(string? name, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"renew {name ?? "*"}");
        return Task.FromResult(new ControlResult(true, "renewed"));
    }

    public IReadOnlyList<CertificateStatus> GetCertificates()
    {
        Calls.Enqueue("certs");
        return [new CertificateStatus("main", new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), null, null)];
    }

    public Task<ControlResult> ReloadAsync(string? app, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"reload {app ?? "*"}");
        return Task.FromResult(ReloadResult);
    }

    public Task<ControlResult> ScaleAsync(string app, int workers, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"scale {app} {workers}");
        return ScaleThrows is { } e ? Task.FromException<ControlResult>(e) : Task.FromResult(ScaleResult);
    }

    public void Stop()
    {
        Calls.Enqueue("stop");
        _stopped.TrySetResult();
    }

    public static ServerStatus SampleStatus()
    {
        var started = new DateTimeOffset(2026, 3, 1, 9, 30, 15, 123, TimeSpan.FromHours(2));
        return new ServerStatus(4242, started, "0.1.0-test",
        [
            new AppStatus("web", "shop.wsgi:application", "running", DesiredWorkers: 3, Waiting: 7, FailedReason: null,
                [
                    new WorkerStatus(1, 31001, "ready", InFlight: 1, Capacity: 4, RequestsServed: 123_456, RssBytes: 52_428_800, AgeSeconds: 3_725.5),
                    new WorkerStatus(2, 31002, "booting", 0, 4, 0, 0, 0.25),
                    new WorkerStatus(3, 31003, "draining", 4, 4, 9_999_999_999, 1_073_741_824, 200_000),
                ],
                [
                    new DeathRecord(4, 30999, "timeout", "killed by signal 9", 77, 60_000_000, "GET /report?year=2025&q=<all>", started.AddMinutes(5)),
                    new DeathRecord(5, 30998, "memory", "killed by signal 9", 12, 2_000_000_000, null, started.AddMinutes(6)),
                ]),
            new AppStatus("admin", "admin:app", "failed", 1, 0,
                "Traceback (most recent call last):\n  File \"admin.py\", line 3, in <module>\n    import [missing]\nModuleNotFoundError: No module named 'missing'\n",
                [],
                [new DeathRecord(1, 30500, "boot-failure", "exit code 1", 0, 0, null, started.AddSeconds(2))]),
        ]);
    }
}
