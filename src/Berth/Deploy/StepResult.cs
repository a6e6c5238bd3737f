namespace Berth.Deploy;

/// <summary>How one deploy step ended on one host. Ansible users' complaint is that "changed" lies:
/// here <see cref="StepStatus.Changed"/> is reported only when a detector saw a difference and the
/// step acted on it, and <see cref="Reason"/> always says which difference (or why nothing was done).</summary>
public sealed record StepResult(StepStatus Status, string Reason, TimeSpan Elapsed);

public enum StepStatus
{
    /// <summary>Checked and already as wanted; nothing done.</summary>
    Ok,
    /// <summary>Something was different and the step changed it (under --plan: would change it).</summary>
    Changed,
    /// <summary>Not applicable to this host or this run (no hooks, systemd absent, an earlier failure).</summary>
    Skipped,
    Failed,
}
