namespace Berth.Deploy;

/// <summary>
/// What one <c>berth deploy</c> (or <c>berth rollback</c>) did, as notifications tell it: the whole run
/// succeeded only when every host did. Built once at the end and handed to every configured notifier.
/// </summary>
public sealed record DeployReport(
    string App,
    string Action,
    string Revision,
    string DeployedBy,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<HostOutcome> Hosts)
{
    public bool Succeeded => Hosts.Count > 0 && Hosts.All(h => h.Status == HostStatus.Ok);
}

/// <summary>Where one host ended: its release (when one was made), its status and, on failure, the
/// step that failed and why.</summary>
public sealed record HostOutcome(string Host, string? Release, HostStatus Status, string? FailedStep, string? Error);

public enum HostStatus
{
    /// <summary>The new release is live and passed its health check.</summary>
    Ok,
    /// <summary>The deploy failed before the switch; the previous release kept serving.</summary>
    Failed,
    /// <summary>The new release went live, failed its health check and was switched back.</summary>
    RolledBack,
    /// <summary>Not attempted because an earlier host or batch failed.</summary>
    NotStarted,
}
