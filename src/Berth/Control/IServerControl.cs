namespace Berth.Control;

/// <summary>
/// What the control socket may ask of a running <c>berth serve</c>. The master implements it by
/// posting to each app's supervisor loop, so the control socket never touches a worker table itself.
/// </summary>
public interface IServerControl
{
    ServerStatus GetStatus();

    /// <summary>Rolling, readiness-gated reload of one app, or of every app when <paramref name="app"/> is null.</summary>
    Task<ControlResult> ReloadAsync(string? app, CancellationToken cancellationToken);

    /// <summary>Sets the number of workers of <paramref name="app"/>.</summary>
    Task<ControlResult> ScaleAsync(string app, int workers, CancellationToken cancellationToken);

    /// <summary>Orders new ACME certificates now for the site or host <paramref name="name"/>, or for every <c>tls: acme</c>
    /// site when null; the old certificates serve until the new ones are in hand.</summary>
    Task<ControlResult> RenewCertificatesAsync(string? name, CancellationToken cancellationToken);

    /// <summary>Each <c>tls: acme</c> site's next renewal and last failed order, as this server has them.</summary>
    IReadOnlyList<CertificateStatus> GetCertificates();

    /// <summary>Graceful stop, as SIGTERM.</summary>
    void Stop();
}

/// <summary>Outcome of a control command; <see cref="Message"/> is what the CLI prints (the Python error of a failed reload, say).</summary>
public sealed record ControlResult(bool Ok, string Message);

/// <summary>A <c>tls: acme</c> site for <c>berth cert status</c>: when the server will next order (after a failure, at
/// the CA's renewal window, or when a third of the lifetime is left) and why the last order failed, if it did —
/// kept here too because the failure may be that storage cannot be written.</summary>
public sealed record CertificateStatus(string Site, DateTimeOffset? NextRenewal, string? NextRenewalReason, string? LastError);

/// <param name="IgnoredAppFiles">The files of apps_dir that berth refused, with their errors; null from a berth before them.</param>
public sealed record ServerStatus(int Pid, DateTimeOffset StartedAt, string Version, IReadOnlyList<AppStatus> Apps, IReadOnlyList<IgnoredAppFile>? IgnoredAppFiles = null);

/// <summary>A file of apps_dir that is ignored until it changes (apps.d/blog.yml), and why, as <c>file:line: ... Fix: ...</c>.</summary>
public sealed record IgnoredAppFile(string File, IReadOnlyList<string> Errors);

public sealed record AppStatus(
    string Name,
    string Module,
    string State,                       // starting | running | reloading | failed | stopping
    int DesiredWorkers,
    int Waiting,                        // requests in the wait queue
    string? FailedReason,
    IReadOnlyList<WorkerStatus> Workers,
    IReadOnlyList<DeathRecord> RecentExits);

public sealed record WorkerStatus(
    int Id,
    int Pid,
    string State,                       // booting | ready | draining
    int InFlight,
    int Capacity,
    long RequestsServed,
    long RssBytes,
    double AgeSeconds);

/// <summary>One worker exit, logged once: cause is exit-code, signal, timeout, memory, max-requests, lifetime, reload, scale-down, shutdown, boot-failure, crash.</summary>
public sealed record DeathRecord(
    int WorkerId,
    int Pid,
    string Cause,
    string Exit,                        // "exit code 1", "killed by signal 9"
    long RequestsServed,
    long RssBytes,
    string? LastRequest,
    DateTimeOffset At);
