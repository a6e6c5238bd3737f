namespace Berth.Deploy.Steps;

/// <summary><c>system_packages:</c>, installed with apt only when dpkg says they are missing.</summary>
public sealed class SystemPackagesStep : IDeployStep
{
    public string Name => "system packages";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> wanted = context.Deploy.SystemPackages;
        if (wanted.Count == 0)
        {
            return Outcome.Skipped("no system_packages:");
        }

        IReadOnlyList<string> missing = context.Facts.MissingPackages;
        if (missing.Count == 0)
        {
            return Outcome.Ok($"all {wanted.Count} installed");
        }

        string names = string.Join(", ", missing);
        if (plan)
        {
            return Outcome.Changed($"would install {names} (missing)");
        }

        await context.RunCheckedAsync(Install(context, missing), $"apt-get install {names}",
            "check the package names (apt-cache search NAME on the host) and that the host reaches its apt mirror", cancellationToken).ConfigureAwait(false);
        return Outcome.Changed($"installed {names} (missing)");
    }

    /// <summary>Installs from the package lists as they are; only when that fails are they updated and the
    /// install tried again, since an update costs seconds and a fresh server's lists may be empty.</summary>
    public static RemoteCommand Install(StepContext context, IReadOnlyList<string> packages) =>
        context.Privileged(["env", "DEBIAN_FRONTEND=noninteractive", "sh", "-c",
            "apt-get install -y -q --no-install-recommends \"$@\" || { apt-get update -q && apt-get install -y -q --no-install-recommends \"$@\"; }",
            "sh", .. packages]);
}
