namespace Berth.Deploy;

/// <summary>What <c>berth deploy</c> was asked on its command line, besides the hosts.</summary>
/// <param name="Plan"><c>--plan</c>: detect and report, change nothing, send nothing.</param>
/// <param name="BreakLock"><c>--break-lock</c>: take the lock even when another run holds it.</param>
public sealed record DeployOptions(bool Plan = false, bool BreakLock = false);

/// <summary>What <c>berth rollback</c> was asked besides the host: a release id (else the good one before the live one).</summary>
public sealed record RollbackOptions(string? Release = null);
