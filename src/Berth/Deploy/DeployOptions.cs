namespace Berth.Deploy;

/// <summary>What <c>berth deploy</c> was asked on its command line.</summary>
/// <param name="Plan"><c>--plan</c>: detect and report, change nothing, send nothing.</param>
/// <param name="BreakLock"><c>--break-lock</c>: take the lock even when another run holds it.</param>
/// <param name="Hosts">Only these hosts of <c>deploy: hosts:</c> (as written there, or their address); all when empty.</param>
public sealed record DeployOptions(bool Plan = false, bool BreakLock = false, IReadOnlyList<string>? Hosts = null);

/// <summary>What <c>berth rollback</c> was asked: a release id (else the good one before the live one) and a host.</summary>
public sealed record RollbackOptions(string? Release = null, string? Host = null);
